package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.resp.Resp;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Linearizable reads: a read runs on the leader only after a ReadIndex round that
 * started after the read arrived has confirmed leadership and this node applied up to
 * the read index. One round serves every read that was waiting when it started; reads
 * arriving during a round wait for the next one. All state is confined to the Redis
 * main thread.
 */
final class ReadBatcher {
    private static final int MAX_ROUNDS = 2;

    private record Read(byte[] unit, BlockedClient client) {}

    private final RaftRequests requests;
    private final RedisApi redis;
    private final MainThread mainThread;
    private final Executor executor;
    private final Supplier<Resp> redirect;
    private List<Read> waiting = new ArrayList<>();
    private int rounds;

    ReadBatcher(RaftRequests requests, RedisApi redis, MainThread mainThread, Executor executor,
                Supplier<Resp> redirect) {
        this.requests = requests;
        this.redis = redis;
        this.mainThread = mainThread;
        this.executor = executor;
        this.redirect = redirect;
    }

    /** Main thread. */
    void submit(byte[] unit, BlockedClient client) {
        waiting.add(new Read(unit, client));
        startRound();
    }

    private void startRound() {
        if (waiting.isEmpty() || rounds >= MAX_ROUNDS) return;
        List<Read> batch = waiting;
        waiting = new ArrayList<>();
        rounds++;
        executor.execute(() -> requests.readBarrier().whenComplete((reply, error) -> {
            Throwable failure = RaftFailures.failure(reply, error);
            mainThread.execute(() -> finish(batch, failure));
        }));
    }

    private void finish(List<Read> batch, Throwable failure) {
        rounds--;
        if (failure != null) {
            Resp answer = RaftFailures.forRead(failure, redirect.get());
            for (Read r : batch) redis.unblock(r.client(), answer);
        } else {
            ByteArrayOutputStream units = new ByteArrayOutputStream();
            long[] targets = new long[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                units.writeBytes(batch.get(i).unit());
                targets[i] = batch.get(i).client().handle();
            }
            byte[] buf = units.toByteArray();
            redis.execute(buf, 0, buf.length, targets, 0);
        }
        startRound();
    }

    /** Main thread: answers every waiting read (the node stops serving). */
    void close(Resp answer) {
        for (Read r : waiting) redis.unblock(r.client(), answer);
        waiting = new ArrayList<>();
    }
}
