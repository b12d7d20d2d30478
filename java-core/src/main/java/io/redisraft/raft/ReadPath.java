package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.bridge.Shim;
import io.redisraft.logging.Trace;
import io.redisraft.resp.Resp;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import org.apache.ratis.server.RaftServer;

/**
 * Linearizable reads on the leader. A read must see every write acknowledged before
 * it arrived, so the leader first makes sure it still is the leader and has applied
 * everything committed so far:
 * <ul>
 * <li>while it holds its {@link LeaderLease}, the read index is the current commit
 *     index; the read runs at once if that is applied, or as soon as it is;</li>
 * <li>otherwise the read waits for a barrier: an empty log entry appended after the
 *     read arrived. Its commit proves leadership at that time and its apply means
 *     everything before it is applied. One barrier serves every read waiting when it
 *     was appended.</li>
 * </ul>
 * A read also waits for the clients that a write applied before it arrived woke up
 * (blocking commands): Redis serves those before any other command.
 * A read that names a key whose deadline has passed is not run here: only the log may
 * delete that key (so every node deletes it at the same point), so the read goes
 * through the log instead, as a write would.
 * All state is confined to the Redis main thread.
 */
final class ReadPath {
    private static final int MAX_BARRIERS = 2;

    /** appliedAtArrival: what this node had applied when the read arrived (see {@link #wakeupsOwed}). */
    private record Read(long readIndex, long appliedAtArrival, byte[] unit, BlockedClient client) {}

    private final RaftServer.Division division;
    private final RaftRequests requests;
    private final LeaderLease lease;
    private final PendingReplies pending;
    private final EntryApplier applier;
    private final EntryClock clock;
    private final RedisApi redis;
    private final MainThread mainThread;
    private final Executor executor;
    private final Supplier<Resp> redirect;
    private final BiConsumer<byte[], BlockedClient> throughLog;
    /** Given an applied index: whether clients woken by entries up to it still have commands on the way. */
    private final LongPredicate wakeupsOwed;
    /** Reads whose index is applied, waiting for woken clients to be served first. */
    private final List<Read> waitingForWakeups = new ArrayList<>();
    private final PriorityQueue<Read> waitingForApply =
            new PriorityQueue<>((a, b) -> Long.compare(a.readIndex(), b.readIndex()));
    private List<Read> waitingForBarrier = new ArrayList<>();
    private int barriers;
    private Resp closed;

    ReadPath(RaftServer.Division division, RaftRequests requests, LeaderLease lease, PendingReplies pending,
             EntryApplier applier, EntryClock clock, RedisApi redis, MainThread mainThread, Executor executor,
             Supplier<Resp> redirect, BiConsumer<byte[], BlockedClient> throughLog, LongPredicate wakeupsOwed) {
        this.division = division;
        this.requests = requests;
        this.lease = lease;
        this.pending = pending;
        this.applier = applier;
        this.clock = clock;
        this.redis = redis;
        this.mainThread = mainThread;
        this.executor = executor;
        this.redirect = redirect;
        this.throughLog = throughLog;
        this.wakeupsOwed = wakeupsOwed;
    }

    /** Main thread, inside the client's command: answers now or blocks the client. */
    void read(byte[] unit, long ctx) {
        if (closed != null) {
            redis.reply(ctx, closed);
            return;
        }
        long applied = applier.appliedIndex();
        if (lease.held()) {
            long readIndex = division.getRaftLog().getLastCommittedIndex();
            if (applied >= readIndex) {
                readNow(unit, ctx);
            } else {
                waitingForApply.add(new Read(readIndex, applied, unit, redis.block(ctx)));
            }
            return;
        }
        waitingForBarrier.add(new Read(0, applied, unit, redis.block(ctx)));
        startBarrier();
    }

    /** Main thread: as {@link #read(byte[], long)}, for a client already blocked. */
    void read(byte[] unit, BlockedClient client) {
        if (closed != null) {
            redis.unblock(client, closed);
            return;
        }
        Read read = new Read(lease.held() ? division.getRaftLog().getLastCommittedIndex() : 0,
                applier.appliedIndex(), unit, client);
        if (read.readIndex() == 0) {
            waitingForBarrier.add(read);
            startBarrier();
        } else if (applier.appliedIndex() >= read.readIndex()) {
            execute(List.of(read));
        } else {
            waitingForApply.add(read);
        }
    }

    /** Main thread, inside the client's command: reads this node's state as it is (raft.quorum-reads no). */
    void readNow(byte[] unit, long ctx) {
        long applied = applier.appliedIndex();
        if (wakeupsOwed.test(applied)) {
            waitingForWakeups.add(new Read(0, applied, unit, redis.block(ctx)));
        } else if (redis.hasDueKeys(unit, clock.now())) {
            throughLog.accept(unit, redis.block(ctx));
        } else {
            redis.execute(unit, 0, unit.length, new long[] {ctx}, Shim.EXEC_DIRECT, 0, 0);
        }
    }

    /** Main thread: the applier reached {@code index}. */
    void applied(long index) {
        List<Read> ready = new ArrayList<>();
        while (!waitingForApply.isEmpty() && waitingForApply.peek().readIndex() <= index) {
            ready.add(waitingForApply.poll());
        }
        if (!waitingForWakeups.isEmpty()) {
            ready.addAll(waitingForWakeups);
            waitingForWakeups.clear();
        }
        if (!ready.isEmpty()) execute(ready);
    }

    private void startBarrier() {
        if (waitingForBarrier.isEmpty() || barriers >= MAX_BARRIERS) return;
        List<Read> batch = waitingForBarrier;
        waitingForBarrier = new ArrayList<>();
        barriers++;
        byte[] barrier = LogEntry.encode(pending.origin(), 0, clock.next(), List.of());
        Trace.GENERIC.log(() -> "read barrier for " + batch.size() + " reads");
        executor.execute(() -> requests.write(barrier).whenComplete((reply, error) -> {
            Throwable failure = RaftFailures.failure(reply, error);
            long index = failure == null ? reply.getLogIndex() : 0;
            mainThread.execute(() -> barrierDone(batch, failure, index));
        }));
    }

    /**
     * The barrier is applied at {@code index} on the leader. The leader has applied it here
     * already; a follower (raft.follower-proxy) runs the reads once it has applied it too.
     */
    private void barrierDone(List<Read> batch, Throwable failure, long index) {
        barriers--;
        if (closed != null || failure != null) {
            Resp answer = closed != null ? closed : RaftFailures.forRead(failure, redirect.get());
            for (Read r : batch) redis.unblock(r.client(), answer);
            if (closed != null) return;
        } else if (applier.appliedIndex() >= index) {
            execute(batch);
        } else {
            for (Read r : batch) waitingForApply.add(new Read(index, r.appliedAtArrival(), r.unit(), r.client()));
        }
        startBarrier();
    }

    private void execute(List<Read> reads) {
        ByteArrayOutputStream units = new ByteArrayOutputStream();
        List<Long> targets = new ArrayList<>(reads.size());
        long now = clock.now();
        for (Read r : reads) {
            if (wakeupsOwed.test(r.appliedAtArrival())) {
                waitingForWakeups.add(r);
            } else if (redis.hasDueKeys(r.unit(), now)) {
                throughLog.accept(r.unit(), r.client());
            } else {
                units.writeBytes(r.unit());
                targets.add(r.client().handle());
            }
        }
        if (targets.isEmpty()) return;
        byte[] buf = units.toByteArray();
        redis.execute(buf, 0, buf.length, targets.stream().mapToLong(Long::longValue).toArray(), 0, 0, 0);
    }

    /** Main thread: the node stops serving; every waiting read gets {@code answer}, and later ones too. */
    void close(Resp answer) {
        closed = answer;
        for (Read r : waitingForApply) redis.unblock(r.client(), answer);
        for (Read r : waitingForBarrier) redis.unblock(r.client(), answer);
        for (Read r : waitingForWakeups) redis.unblock(r.client(), answer);
        waitingForWakeups.clear();
        waitingForApply.clear();
        waitingForBarrier = new ArrayList<>();
    }
}
