package io.redisraft.health;

import io.redisraft.logging.RedisLog;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.management.NotificationEmitter;

/**
 * Notices when the JVM can no longer be trusted to run this node: it ran out of heap (an
 * OutOfMemoryError anywhere, or a heap that stays nearly full after a full collection) or
 * another VirtualMachineError struck. Such an error may have killed a thread of the write or
 * apply path half-way, so the node must stop serving instead of hanging or diverging.
 * The JVM is one per process, hence one handler for the whole process.
 */
public final class FatalErrors {
    /** Live data after a full collection above this share of the old generation: the heap is exhausted. */
    static final double EXHAUSTED_SHARE = 0.95;

    private static final String ADVICE = "raise -Xmx (or the limit named) in raft.jvm-options, "
            + "or lower raft.log-max-cache-size";
    private static final AtomicBoolean reported = new AtomicBoolean();
    private static volatile Consumer<String> handler = why -> { };

    private FatalErrors() {}

    /**
     * Sets who stops the node, watches the heap and catches errors that end a thread.
     * {@code stop} is called at most once, on any thread.
     */
    public static void install(Consumer<String> stop) {
        handler = stop;
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (!report(error, "thread " + thread.getName())) {
                if (previous != null) previous.uncaughtException(thread, error);
                else RedisLog.warning("thread " + thread.getName() + " ended: " + RedisLog.describe(error));
            }
        });
        watchOldGeneration();
    }

    /** True if {@code error} (or its cause) is a VirtualMachineError: the node must stop. */
    public static boolean isFatal(Throwable error) {
        return fatalCause(error) != null;
    }

    /** Stops the node if {@code error} is fatal; returns whether it was. {@code where}: what failed. */
    public static boolean report(Throwable error, String where) {
        VirtualMachineError fatal = fatalCause(error);
        if (fatal == null) return false;
        stop(fatal instanceof OutOfMemoryError
                ? "the JVM ran out of memory in " + where + " (" + fatal.getMessage() + "); " + ADVICE
                : "the JVM failed in " + where + ": " + fatal);
        return true;
    }

    private static VirtualMachineError fatalCause(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VirtualMachineError v) return v;
        }
        return null;
    }

    private static void stop(String why) {
        if (!reported.compareAndSet(false, true)) return;
        try {
            handler.accept(why);
        } catch (Throwable t) {
            RedisLog.warning("cannot stop serving after a JVM failure (" + why + "): " + t);
        }
    }

    /**
     * The old generation's usage after a full collection is what the node really holds;
     * when it stays above {@link #EXHAUSTED_SHARE} the JVM spends its time collecting and
     * the next allocation anywhere fails.
     */
    private static void watchOldGeneration() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP || !pool.isCollectionUsageThresholdSupported()) continue;
            String name = pool.getName();
            if (name.contains("Eden") || name.contains("Survivor")) continue;
            long max = pool.getUsage().getMax();
            if (max <= 0) continue;
            pool.setCollectionUsageThreshold((long) (max * EXHAUSTED_SHARE));
        }
        NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
        emitter.addNotificationListener((notification, context) -> {
            if (!MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) return;
            MemoryNotificationInfo info = MemoryNotificationInfo.from(
                    (javax.management.openmbean.CompositeData) notification.getUserData());
            long mb = 1 << 20;
            stop("the Java heap is exhausted: " + info.getUsage().getUsed() / mb + " of "
                    + info.getUsage().getMax() / mb + " MB of " + info.getPoolName()
                    + " still in use after a full collection; " + ADVICE);
        }, null, null);
    }
}
