package io.redisraft.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills a cluster fast: each EVAL writes many keys of mixed types in one log entry
 * (strings, hashes, lists, sets, sorted sets; one key in ten with a TTL).
 */
public final class Fill {
    private static final String SCRIPT = String.join("\n",
            "local prefix, first, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])",
            "for i = first, first + count - 1 do",
            "  local k = prefix .. i",
            "  local kind = i % 5",
            "  if kind == 0 then redis.call('SET', k, 'value-' .. i)",
            "  elseif kind == 1 then redis.call('HSET', k, 'a', i, 'b', 'x' .. i)",
            "  elseif kind == 2 then redis.call('RPUSH', k, i, i + 1, i + 2)",
            "  elseif kind == 3 then redis.call('SADD', k, 'm' .. i, 'n' .. i)",
            "  else redis.call('ZADD', k, i, 'z' .. i) end",
            "  if i % 10 == 0 then redis.call('PEXPIRE', k, 3600000) end",
            "end",
            "return count");

    private Fill() {}

    /** SETs keys prefix0..prefix(count-1) to values of {@code size} bytes, from {@code clients} parallel clients. */
    public static void values(RaftCluster cluster, String prefix, int count, int size, int clients) {
        String filler = "v".repeat(size);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<String> problem = new AtomicReference<>();
        for (int t = 0; t < clients; t++) {
            int first = t;
            Thread th = new Thread(() -> {
                try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(60), 30_000)) {
                    for (int i = first; i < count && problem.get() == null; i += clients) {
                        ClusterClient.Outcome o = c.call("SET", prefix + i, filler);
                        if (!o.ok()) problem.set("SET " + prefix + i + ": " + o.value());
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        assertTrue(problem.get() == null, problem.get());
    }

    /** Writes keys prefix0..prefix(count-1) in batches of {@code batch} per EVAL. */
    public static void mixed(RaftCluster cluster, String prefix, int count, int batch) {
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(60), 30_000)) {
            for (int first = 0; first < count; first += batch) {
                int n = Math.min(batch, count - first);
                ClusterClient.Outcome o = c.call("EVAL", SCRIPT, "0", prefix, Integer.toString(first), Integer.toString(n));
                assertTrue(o.ok(), "fill at " + first + ": " + o.value());
            }
        }
    }
}
