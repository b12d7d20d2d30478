package io.redisraft.commands;

import io.redisraft.bridge.Shim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MULTI state per client. Redis's own MULTI is never used: queued commands are kept
 * here and the whole transaction becomes one unit of one log entry at EXEC. The shim's
 * filter learns who is in a transaction, to queue PING and ECHO for them. Main thread only.
 */
final class Transactions {
    static final class Transaction {
        final List<byte[][]> commands = new ArrayList<>();
        boolean readOnly = true;
        /** A queued command was refused: EXEC must fail with EXECABORT. */
        boolean aborted;
    }

    private final Map<Long, Transaction> byClient = new HashMap<>();
    private final Shim shim;

    Transactions(Shim shim) {
        this.shim = shim;
    }

    Transaction get(long clientId) {
        return byClient.get(clientId);
    }

    void begin(long clientId) {
        byClient.put(clientId, new Transaction());
        shim.rr_set_in_transaction(clientId, 1);
    }

    Transaction end(long clientId) {
        Transaction ended = byClient.remove(clientId);
        if (ended != null) shim.rr_set_in_transaction(clientId, 0);
        return ended;
    }

    void clientGone(long clientId) {
        end(clientId);
    }

    int open() {
        return byClient.size();
    }
}
