package io.redisraft.bridge;

import io.redisraft.resp.Resp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * RAFT.DEBUG HANDOFF &lt;n&gt;: a self-test of {@link MainThread}. Four Java threads each
 * queue n tasks; every task must run on the Redis main thread, and each thread's
 * tasks in the order they were queued.
 */
public final class HandoffCheck {
    private static final int THREADS = 4;

    private HandoffCheck() {}

    public static void run(MainThread mainThread, int perThread, Consumer<Resp> reply) {
        int[] lastSeen = new int[THREADS];
        List<String> problems = new ArrayList<>();
        AtomicInteger remaining = new AtomicInteger(THREADS * perThread);
        List<CompletableFuture<Void>> producers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            lastSeen[t] = -1;
            producers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) {
                    int seq = i;
                    mainThread.execute(() -> {
                        if (!mainThread.isMainThread()) problems.add("task ran on " + Thread.currentThread().getName());
                        if (lastSeen[thread] != seq - 1) problems.add("thread " + thread + ": task " + seq + " after " + lastSeen[thread]);
                        lastSeen[thread] = seq;
                        if (remaining.decrementAndGet() == 0) {
                            reply.accept(problems.isEmpty() ? Resp.integer((long) THREADS * perThread)
                                    : Resp.error("ERR " + problems.size() + " problems, first: " + problems.get(0)));
                        }
                    });
                }
            }));
        }
    }
}
