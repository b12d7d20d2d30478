package io.redisraft.harness;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * Commands that may block (BLPOP, XREADGROUP BLOCK, ...), each run on its own connection in
 * the background; a test registers one with @RegisterExtension, and the threads stop after
 * each test.
 */
public final class BackgroundCalls implements AfterEachCallback {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    /** Runs a command on its own connection to {@code node}; the future holds its reply (or the exception). */
    public Future<Object> call(RedisNode node, String... command) {
        return pool.submit(() -> {
            try (Jedis j = node.client()) {
                return Commands.call(j, command);
            }
        });
    }

    /** Runs {@code work} in the background. */
    public void run(Runnable work) {
        pool.execute(work);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        pool.shutdownNow();
    }
}
