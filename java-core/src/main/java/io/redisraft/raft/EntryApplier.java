package io.redisraft.raft;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.logging.RedisLog;

/**
 * Applies committed log entries on the Redis main thread: runs their commands, hands
 * each reply to the client waiting for it on this node, and records the applied
 * index/term in the shim (it goes into every RDB as Raft metadata).
 */
public final class EntryApplier {
    private final RedisApi redis;
    private final PendingReplies pending;
    private volatile long appliedIndex;
    private volatile java.util.function.LongConsumer appliedListener = i -> { };
    private volatile long appliedTerm;

    public EntryApplier(RedisApi redis, PendingReplies pending) {
        this.redis = redis;
        this.pending = pending;
    }

    /** Main thread. */
    void apply(long index, long term, byte[] payload) {
        try {
            LogEntry entry = LogEntry.decode(payload);
            long[] targets = pending.take(entry.origin(), entry.firstSequence(), entry.unitCount());
            int done = redis.execute(entry.bytes(), entry.unitsOffset(), entry.unitsLength(), targets,
                    Shim.EXEC_APPLYING);
            if (done != entry.unitCount()) {
                RedisLog.warning("log entry " + index + " is malformed: executed " + done + " of "
                        + entry.unitCount() + " units");
            }
        } catch (IllegalArgumentException e) {
            RedisLog.warning("skipping log entry " + index + ": " + e.getMessage());
        } finally {
            advance(index, term);
        }
    }

    /** Main thread: an entry without commands (e.g. a configuration change) was applied. */
    void advance(long index, long term) {
        appliedIndex = index;
        appliedTerm = term;
        redis.shim().rr_set_applied(index, term);
        appliedListener.accept(index);
    }

    /** Called (main thread) with each newly applied index. */
    void onApplied(java.util.function.LongConsumer listener) {
        appliedListener = listener;
    }

    /** Main thread: the dataset was replaced by a snapshot. */
    public void reset(long index, long term) {
        advance(index, term);
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long appliedTerm() {
        return appliedTerm;
    }
}
