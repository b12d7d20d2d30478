package io.redisraft.commands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MULTI state per client. Redis's own MULTI is never used: queued commands are kept
 * here and the whole transaction becomes one unit of one log entry at EXEC. Main
 * thread only.
 */
final class Transactions {
    static final class Transaction {
        final List<byte[][]> commands = new ArrayList<>();
        boolean readOnly = true;
        /** A queued command was refused: EXEC must fail with EXECABORT. */
        boolean aborted;
    }

    private final Map<Long, Transaction> byClient = new HashMap<>();

    Transaction get(long clientId) {
        return byClient.get(clientId);
    }

    void begin(long clientId) {
        byClient.put(clientId, new Transaction());
    }

    Transaction end(long clientId) {
        return byClient.remove(clientId);
    }

    void clientGone(long clientId) {
        byClient.remove(clientId);
    }

    int open() {
        return byClient.size();
    }
}
