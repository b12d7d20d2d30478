package io.redisraft.bridge;

import io.redisraft.health.FatalErrors;
import io.redisraft.logging.RedisLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs tasks on the Redis main thread, in the order they were submitted, from any
 * thread. Tasks wait in a Java queue; the shim is woken only when the queue goes
 * from idle to busy, and {@link #drain()} (called by the shim on the main thread)
 * runs everything queued, including tasks queued while it runs.
 */
public final class MainThread {
    private final Shim shim;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile Thread mainThread;

    public MainThread(Shim shim) {
        this.shim = shim;
    }

    /** Records the calling thread as Redis's main thread (it is the one that booted us). */
    public void bindToCurrentThread() {
        mainThread = Thread.currentThread();
    }

    public boolean isMainThread() {
        return Thread.currentThread() == mainThread;
    }

    public void execute(Runnable task) {
        queue.add(task);
        if (wakeupPending.compareAndSet(false, true)) shim.rr_wakeup();
    }

    /** Runs {@code task} on the main thread and completes the future with its result. */
    public <T> CompletableFuture<T> submit(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                FatalErrors.report(t, "a main-thread task");
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Called by the shim on the main thread. */
    void drain() {
        // Cleared before polling: a task added from now on asks for another wake-up,
        // which at worst finds an empty queue.
        wakeupPending.set(false);
        Runnable task;
        while ((task = queue.poll()) != null) {
            try {
                task.run();
            } catch (Throwable t) {
                RedisLog.warning("main-thread task failed: " + RedisLog.describe(t));
                FatalErrors.report(t, "a main-thread task");
            }
        }
    }
}
