package io.redisraft.raft;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Applies committed log entries on the Redis main thread: runs their commands, hands
 * each reply to the client waiting for it on this node, and records the applied
 * index/term in the shim (it goes into every RDB as Raft metadata).
 *
 * <p>An entry that cannot be applied (unreadable, or the shim could not run all of its
 * commands) is never counted as applied: the applier stops for good and reports it,
 * and the node stops serving rather than go on with a dataset the other nodes do not
 * have.
 */
public final class EntryApplier {
    /** Thrown when an entry cannot be applied; the applier is stopped from then on. */
    public static final class ApplyFailure extends RuntimeException {
        ApplyFailure(String message) {
            super(message);
        }
    }

    private final RedisApi redis;
    private final PendingReplies pending;
    private final EntryClock clock;
    private volatile long appliedIndex;
    private volatile long appliedTerm;
    private volatile LongConsumer appliedListener = i -> { };
    private WaitingClients waitingClients; // main thread
    private volatile String stopped;

    EntryApplier(RedisApi redis, PendingReplies pending, EntryClock clock) {
        this.redis = redis;
        this.pending = pending;
        this.clock = clock;
    }

    /** Main thread. Throws ApplyFailure if the entry cannot be applied. */
    void apply(long index, long term, byte[] payload) {
        checkRunning(index);
        try {
            execute(index, term, payload);
        } catch (ApplyFailure e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw stop("log entry " + index + " failed: " + e);
        }
    }

    private void execute(long index, long term, byte[] payload) {
        LogEntry entry;
        try {
            entry = LogEntry.decode(payload);
        } catch (IllegalArgumentException e) {
            throw stop("log entry " + index + " is unreadable: " + e.getMessage());
        }
        long[] targets = pending.take(entry.origin(), entry.firstSequence(), entry.unitCount());
        List<Consumer<Boolean>> awaited = pending.takeOwn(entry.origin(), entry.firstSequence(), entry.unitCount());
        // The shim zeroes the target of every unit it answered; one left is a client kept waiting.
        // Which clients were served matters only if some were waiting before this entry.
        WaitingClients waiting = waitingClients;
        boolean tracking = waiting != null && waiting.anyWaiting();
        long[] sent = tracking ? targets.clone() : targets;
        int done = redis.execute(entry.bytes(), entry.unitsOffset(), entry.unitsLength(), targets,
                Shim.EXEC_APPLYING, entry.timeMs(), index);
        for (int i = 0; waiting != null && i < Math.max(done, 0); i++) {
            if (sent[i] != 0) waiting.unitApplied(sent[i], targets[i] != 0);
        }
        if (done != entry.unitCount()) {
            throw stop("log entry " + index + " is malformed: " + Math.max(done, 0) + " of " + entry.unitCount()
                    + " units executed");
        }
        clock.observe(entry.timeMs());
        if (tracking) waiting.entryApplied(index);
        advance(index, term);
        for (Consumer<Boolean> a : awaited) a.accept(true);
    }

    /** Main thread: who learns about units whose client may keep waiting (blocking commands). */
    void setWaitingClients(WaitingClients waiting) {
        this.waitingClients = waiting;
    }

    /** Main thread: an entry without commands (e.g. a configuration change) was applied. */
    void advance(long index, long term) {
        checkRunning(index);
        appliedIndex = index;
        appliedTerm = term;
        redis.shim().rr_set_applied(index, term);
        appliedListener.accept(index);
    }

    private void checkRunning(long index) {
        String why = stopped;
        if (why != null) throw new ApplyFailure("entry " + index + " not applied: the applier stopped (" + why + ")");
    }

    private ApplyFailure stop(String why) {
        stopped = why;
        return new ApplyFailure(why);
    }

    /** Why the applier stopped, or null while it runs. */
    public String stopReason() {
        return stopped;
    }

    /** Called (main thread) with each newly applied index. */
    void onApplied(LongConsumer listener) {
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
