package io.redisraft.util;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The module's own threads are daemons: they must never keep redis-server from exiting. */
public final class Threads {
    private Threads() {}

    public static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(r -> daemon(r, name));
    }

    public static ScheduledExecutorService scheduled(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name));
    }

    public static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
