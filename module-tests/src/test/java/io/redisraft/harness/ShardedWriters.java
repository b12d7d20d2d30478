package io.redisraft.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Writers through a cluster-aware client (JedisCluster: it follows MOVED and ASK) while
 * slots move between shard groups, and the check of what they leave: each key is written
 * by one writer only, with values that count up, so its final value must lie between the
 * last acknowledged write and the last one attempted (one not acknowledged may or may
 * not have happened). TRYAGAIN and CLUSTERDOWN mean the write did not happen: it is sent
 * again.
 */
public final class ShardedWriters implements AutoCloseable {
    private final JedisCluster client;
    private final ExecutorService pool;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Writer> writers = new ArrayList<>();
    public final AtomicLong acknowledged = new AtomicLong();
    public final AtomicLong retried = new AtomicLong();
    public final AtomicLong ambiguous = new AtomicLong();

    private static final class Writer {
        final Map<String, Long> acked = new HashMap<>();
        final Map<String, Long> attempted = new HashMap<>();
    }

    /** {@code threads} writers, each with {@code keysEach} keys of its own, through {@code seed}. */
    public ShardedWriters(RedisNode seed, int threads, int keysEach) {
        this.client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", seed.port())), 5_000, 10);
        this.pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            Writer w = new Writer();
            writers.add(w);
            int id = t;
            pool.execute(() -> write(w, id, keysEach));
        }
    }

    private void write(Writer w, int id, int keysEach) {
        long seq = 0;
        while (running.get()) {
            String key = "w" + id + ":" + ThreadLocalRandom.current().nextInt(keysEach);
            seq++;
            synchronized (w) {
                w.attempted.put(key, seq);
            }
            while (running.get()) {
                try {
                    client.set(key, Long.toString(seq));
                    synchronized (w) {
                        w.acked.put(key, seq);
                    }
                    acknowledged.incrementAndGet();
                    break;
                } catch (JedisDataException e) {
                    String m = String.valueOf(e.getMessage());
                    if (!m.startsWith("TRYAGAIN") && !m.startsWith("CLUSTERDOWN")) {
                        ambiguous.incrementAndGet();
                        break;
                    }
                    retried.incrementAndGet();
                    sleep(10);
                } catch (RuntimeException e) {
                    ambiguous.incrementAndGet(); // it may have happened
                    sleep(50);
                    break;
                }
            }
        }
    }

    /** Stops the writers and checks every key written, read through the cluster client; returns the keys. */
    public int stopAndCheck() throws InterruptedException {
        running.set(false);
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) throw new AssertionError("writers did not stop");
        List<String> problems = new ArrayList<>();
        int keys = 0;
        for (Writer w : writers) {
            for (Map.Entry<String, Long> e : w.attempted.entrySet()) {
                String key = e.getKey();
                long last = e.getValue();
                long acked = w.acked.getOrDefault(key, 0L);
                String value = readThroughRetries(key);
                keys++;
                if (acked == 0 && value == null) continue; // never acknowledged, never there
                long found = value == null ? -1 : Long.parseLong(value);
                if (found < acked || found > last) {
                    problems.add(key + "=" + value + " (last acknowledged " + acked + ", last attempted " + last + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " keys lost acknowledged writes: "
                    + problems.subList(0, Math.min(10, problems.size())));
        }
        return keys;
    }

    /** The number of keys that exist (any acknowledged write, or an ambiguous one that happened). */
    public long existingKeys() {
        long n = 0;
        for (Writer w : writers) {
            for (String key : w.attempted.keySet()) {
                if (readThroughRetries(key) != null) n++;
            }
        }
        return n;
    }

    private String readThroughRetries(String key) {
        for (int i = 0; ; i++) {
            try {
                return client.get(key);
            } catch (RuntimeException e) {
                if (i == 50) throw new AssertionError("cannot read " + key + ": " + e.getMessage(), e);
                sleep(100);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        pool.shutdownNow();
        client.close();
    }
}
