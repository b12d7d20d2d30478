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
 * WATCH for transactions that go through the log. WATCH records, on the leader, each key's
 * state and the log index applied so far; EXEC's unit then starts with RAFT._WATCH_CHECK
 * carrying them, and every node, applying it, aborts the transaction if an entry applied
 * since that index changed the key (touched.c stamps keys as entries change them, so this
 * holds even for a key changed and set back, and for writes still in flight when EXEC was
 * sent), if FLUSHDB/FLUSHALL/SWAPDB emptied a key that existed, or if the key's state
 * (value digest and deadline, or "gone" once its deadline passed) differs: the same
 * answer on every node. Main thread.
 */
public final class Watches {
    /** First argument of the check command; the shim runs it first in a UNIT_CONDITIONAL unit. */
    public static final String CHECK_COMMAND = "RAFT._WATCH_CHECK";

    private final RedisApi redis;
    /** Marks the check's format: (db key state since) per key. */
    private static final String FORMAT = "v2";
    private static final byte[] GONE = bytes("gone");

    /** Per client: "db:key" -> [db, key, state, index applied when watched], in the order watched. */
    private final Map<Long, LinkedHashMap<String, byte[][]>> byClient = new HashMap<>();

    public Watches(RedisApi redis) {
        this.redis = redis;
    }

    /**
     * WATCH key... in database {@code db}, with entries up to {@code appliedIndex} applied here:
     * a key already watched keeps its first state, as in Redis.
     */
    public void watch(long clientId, int db, List<byte[]> keys, long nowMs, long appliedIndex) {
        LinkedHashMap<String, byte[][]> watched = byClient.computeIfAbsent(clientId, id -> new LinkedHashMap<>());
        for (byte[] key : keys) {
            watched.computeIfAbsent(db + ":" + new String(key, StandardCharsets.ISO_8859_1),
                    k -> new byte[][] {bytes(Integer.toString(db)), key, state(db, key, nowMs),
                            bytes(Long.toString(appliedIndex))});
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
        argv.add(bytes(FORMAT));
        for (byte[][] w : watched.values()) argv.addAll(List.of(w));
        return argv.toArray(new byte[0][]);
    }

    /**
     * Applying RAFT._WATCH_CHECK v2 (db key state since)...: OK if no watched key changed, else
     * the null array (the shim then skips the transaction and answers that: EXEC's abort).
     * Entries written before the format had "since" carry (db key state) only.
     */
    public Resp check(byte[][] argv, long nowMs) {
        boolean withIndex = argv.length > 1 && new String(argv[1], StandardCharsets.US_ASCII).equals(FORMAT);
        int first = withIndex ? 2 : 1;
        int width = withIndex ? 4 : 3;
        if ((argv.length - first) % width != 0) return Resp.error("ERR malformed watch check");
        for (int i = first; i < argv.length; i += width) {
            int db = Integer.parseInt(new String(argv[i], StandardCharsets.US_ASCII));
            byte[] key = argv[i + 1];
            byte[] watchedState = argv[i + 2];
            if (!Arrays.equals(state(db, key, nowMs), watchedState)) return Resp.NULL_ARRAY;
            if (!withIndex) continue;
            long since = Long.parseLong(new String(argv[i + 3], StandardCharsets.US_ASCII));
            RedisApi.KeyChange change = redis.changedSince(db, key, since);
            // As in Redis, emptying a database touches only the watched keys that were there.
            if (change.keyTouched() || (change.dbEmptied() && !Arrays.equals(watchedState, GONE))) {
                return Resp.NULL_ARRAY;
            }
        }
        return Resp.OK;
    }

    /** A key's value digest and stored deadline; "gone" if it has none or its deadline passed at {@code nowMs}. */
    private byte[] state(int db, byte[] key, long nowMs) {
        Resp deadline = redis.callInDb(db, new byte[][] {bytes("PEXPIRETIME"), key});
        long stored = deadline instanceof Resp.Int i ? i.value() : -2;
        if (stored == -2 || redis.dueKeys(db, List.of(key), nowMs)[0]) return GONE;
        Resp digest = redis.callInDb(db, new byte[][] {bytes("DEBUG"), bytes("DIGEST-VALUE"), key});
        String value = digest instanceof Resp.Array a && a.items() != null && !a.items().isEmpty()
                ? a.items().get(0).asText() : String.valueOf(digest);
        return bytes(value + "/" + stored);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
