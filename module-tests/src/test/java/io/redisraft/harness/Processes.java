package io.redisraft.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every redis-server the tests started and have not stopped. The JUnit extension
 * reaps the ones of each test; a JVM shutdown hook reaps whatever is left, so no
 * server outlives the test run, whatever happens.
 */
final class Processes {
    private static final Set<RedisNode> live = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (RedisNode n : new ArrayList<>(live)) n.kill();
        }, "reap-redis-servers"));
    }

    private Processes() {}

    static void started(RedisNode node) {
        live.add(node);
    }

    static void stopped(RedisNode node) {
        live.remove(node);
    }

    static List<RedisNode> live() {
        return new ArrayList<>(live);
    }
}
