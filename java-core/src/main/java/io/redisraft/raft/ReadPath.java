package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.bridge.Shim;
import io.redisraft.resp.Resp;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
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
 * All state is confined to the Redis main thread.
 */
final class ReadPath {
    private static final int MAX_BARRIERS = 2;

    private record Read(long readIndex, byte[] unit, BlockedClient client) {}

    private final RaftServer.Division division;
    private final RaftRequests requests;
    private final PendingReplies pending;
    private final EntryApplier applier;
    private final RedisApi redis;
    private final MainThread mainThread;
    private final Executor executor;
    private final Supplier<Resp> redirect;
    private final PriorityQueue<Read> waitingForApply =
            new PriorityQueue<>((a, b) -> Long.compare(a.readIndex(), b.readIndex()));
    private List<Read> waitingForBarrier = new ArrayList<>();
    private int barriers;

    ReadPath(RaftServer.Division division, RaftRequests requests, PendingReplies pending, EntryApplier applier,
             RedisApi redis, MainThread mainThread, Executor executor, Supplier<Resp> redirect) {
        this.division = division;
        this.requests = requests;
        this.pending = pending;
        this.applier = applier;
        this.redis = redis;
        this.mainThread = mainThread;
        this.executor = executor;
        this.redirect = redirect;
    }

    /** Main thread, inside the client's command: answers now or blocks the client. */
    void read(byte[] unit, long ctx) {
        if (LeaderLease.held(division)) {
            long readIndex = division.getRaftLog().getLastCommittedIndex();
            if (applier.appliedIndex() >= readIndex) {
                redis.execute(unit, 0, unit.length, new long[] {ctx}, Shim.EXEC_DIRECT);
            } else {
                waitingForApply.add(new Read(readIndex, unit, redis.block(ctx)));
            }
            return;
        }
        waitingForBarrier.add(new Read(0, unit, redis.block(ctx)));
        startBarrier();
    }

    /** Main thread: the applier reached {@code index}. */
    void applied(long index) {
        List<Read> ready = new ArrayList<>();
        while (!waitingForApply.isEmpty() && waitingForApply.peek().readIndex() <= index) {
            ready.add(waitingForApply.poll());
        }
        if (!ready.isEmpty()) execute(ready);
    }

    private void startBarrier() {
        if (waitingForBarrier.isEmpty() || barriers >= MAX_BARRIERS) return;
        List<Read> batch = waitingForBarrier;
        waitingForBarrier = new ArrayList<>();
        barriers++;
        byte[] barrier = LogEntry.encode(pending.origin(), 0, List.of());
        executor.execute(() -> requests.write(barrier).whenComplete((reply, error) -> {
            Throwable failure = RaftFailures.failure(reply, error);
            mainThread.execute(() -> barrierDone(batch, failure));
        }));
    }

    private void barrierDone(List<Read> batch, Throwable failure) {
        barriers--;
        if (failure != null) {
            Resp answer = RaftFailures.forRead(failure, redirect.get());
            for (Read r : batch) redis.unblock(r.client(), answer);
        } else {
            execute(batch);
        }
        startBarrier();
    }

    private void execute(List<Read> reads) {
        ByteArrayOutputStream units = new ByteArrayOutputStream();
        long[] targets = new long[reads.size()];
        for (int i = 0; i < reads.size(); i++) {
            units.writeBytes(reads.get(i).unit());
            targets[i] = reads.get(i).client().handle();
        }
        byte[] buf = units.toByteArray();
        redis.execute(buf, 0, buf.length, targets, 0);
    }

    /** Main thread: the node stops serving; answers every waiting read. */
    void close(Resp answer) {
        for (Read r : waitingForApply) redis.unblock(r.client(), answer);
        for (Read r : waitingForBarrier) redis.unblock(r.client(), answer);
        waitingForApply.clear();
        waitingForBarrier = new ArrayList<>();
    }
}
