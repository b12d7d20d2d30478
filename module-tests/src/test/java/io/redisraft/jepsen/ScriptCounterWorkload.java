package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.checker.CounterChecker;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.IncrOp;
import io.redisraft.jepsen.history.Status;
import java.time.Duration;
import java.util.Random;

/**
 * A counter incremented by a Lua script the way clients use scripts: EVALSHA, and on
 * NOSCRIPT the usual fallback to EVAL; now and then a client loads the script again or
 * flushes the script cache. Under compaction and restarts some nodes lose their script
 * cache: every increment must still apply exactly once everywhere (counter checker), and
 * the nodes' datasets must agree (the run's dataset check).
 */
final class ScriptCounterWorkload extends Workload<IncrOp> {
    private static final String KEY = "script-counter";
    private static final String SCRIPT = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    private static final String SHA = sha1(SCRIPT);

    @Override
    String name() {
        return "evalsha";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        int dice = random.nextInt(100);
        if (dice == 0) {
            client.call("SCRIPT", "FLUSH");
            return;
        }
        if (dice < 5) {
            client.call("SCRIPT", "LOAD", SCRIPT);
            return;
        }
        long amount = 1 + random.nextInt(5);
        long invoke = System.nanoTime();
        ClusterClient.Outcome o = client.call("EVALSHA", SHA, "1", KEY, Long.toString(amount));
        if (o.status() == ClusterClient.Status.FAILED && o.value() instanceof ReplyError e
                && e.code().equals("NOSCRIPT")) {
            o = client.call("EVAL", SCRIPT, "1", KEY, Long.toString(amount));
        }
        Status s = status(o);
        history.add(new IncrOp(process, amount, s, invoke, completion(s)));
    }

    @Override
    CheckResult check(RaftCluster cluster) {
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(60), 10_000)) {
            ClusterClient.Outcome o = c.call("GET", KEY);
            if (!o.ok()) throw new IllegalStateException("final read of " + KEY + " failed: " + o.value());
            long value = o.value() == null ? 0 : Long.parseLong((String) o.value());
            return new CounterChecker().check(recorded(), value);
        }
    }

    @Override
    Status statusOf(IncrOp op) {
        return op.status();
    }

    private static String sha1(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
