package io.redisraft.watch;

import io.redisraft.bridge.RedisApi;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WATCH for transactions that go through the log. A key's state is Redis's digest of its
 * value (DEBUG DIGEST-VALUE: type and content, independent of each process's hash-table
 * order) and its deadline, or "gone" once that deadline passed. WATCH records the states
 * on the leader; EXEC's unit then starts with RAFT._WATCH_CHECK carrying them, and every
 * node, applying it, compares them with the states at that point of the log: the same
 * answer everywhere, and any write between WATCH and EXEC that changed a watched key
 * (even one still in flight when EXEC was sent) aborts it. A key changed and then set
 * back to the very same value and deadline does not (Redis would abort). Main thread.
 */
public final class Watches {
    /** First argument of the check command; the shim runs it first in a UNIT_CONDITIONAL unit. */
    public static final String CHECK_COMMAND = "RAFT._WATCH_CHECK";

    private final RedisApi redis;
    /** Per client: "db:key" -> [db, key, state], in the order watched. */
    private final Map<Long, LinkedHashMap<String, byte[][]>> byClient = new HashMap<>();

    public Watches(RedisApi redis) {
        this.redis = redis;
    }

    /** WATCH key... in database {@code db}: a key already watched keeps its first state, as in Redis. */
    public void watch(long clientId, int db, List<byte[]> keys, long nowMs) {
        LinkedHashMap<String, byte[][]> watched = byClient.computeIfAbsent(clientId, id -> new LinkedHashMap<>());
        for (byte[] key : keys) {
            watched.computeIfAbsent(db + ":" + new String(key, StandardCharsets.ISO_8859_1),
                    k -> new byte[][] {bytes(Integer.toString(db)), key, state(db, key, nowMs)});
        }
    }

    /** UNWATCH, EXEC, DISCARD, disconnection. */
    public void forget(long clientId) {
        byClient.remove(clientId);
    }

    /** The check that must open the client's EXEC unit, or null if it watches nothing; forgets the watches. */
    public byte[][] takeCheck(long clientId) {
        LinkedHashMap<String, byte[][]> watched = byClient.remove(clientId);
        if (watched == null || watched.isEmpty()) return null;
        List<byte[]> argv = new ArrayList<>();
        argv.add(bytes(CHECK_COMMAND));
        for (byte[][] w : watched.values()) argv.addAll(List.of(w));
        return argv.toArray(new byte[0][]);
    }

    /**
     * Applying RAFT._WATCH_CHECK (db key state)...: OK if every key is as it was watched, else
     * the null array (the shim then skips the transaction and answers that: EXEC's abort).
     */
    public Resp check(byte[][] argv, long nowMs) {
        if ((argv.length - 1) % 3 != 0) return Resp.error("ERR malformed watch check");
        for (int i = 1; i < argv.length; i += 3) {
            int db = Integer.parseInt(new String(argv[i], StandardCharsets.US_ASCII));
            if (!Arrays.equals(state(db, argv[i + 1], nowMs), argv[i + 2])) return Resp.NULL_ARRAY;
        }
        return Resp.OK;
    }

    /** A key's value digest and stored deadline; "gone" if it has none or its deadline passed at {@code nowMs}. */
    private byte[] state(int db, byte[] key, long nowMs) {
        Resp deadline = redis.callInDb(db, new byte[][] {bytes("PEXPIRETIME"), key});
        long stored = deadline instanceof Resp.Int i ? i.value() : -2;
        if (stored == -2 || redis.dueKeys(db, List.of(key), nowMs)[0]) return bytes("gone");
        Resp digest = redis.callInDb(db, new byte[][] {bytes("DEBUG"), bytes("DIGEST-VALUE"), key});
        String value = digest instanceof Resp.Array a && a.items() != null && !a.items().isEmpty()
                ? a.items().get(0).asText() : String.valueOf(digest);
        return bytes(value + "/" + stored);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
