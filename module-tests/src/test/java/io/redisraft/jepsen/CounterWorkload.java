package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.checker.CounterChecker;
import io.redisraft.jepsen.history.IncrOp;
import io.redisraft.jepsen.history.Status;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/** A counter: INCRBY with small amounts; the final value must lie between the acknowledged and the possible sums. */
final class CounterWorkload extends Workload<IncrOp> {
    private static final String KEY = "counter";

    @Override
    String name() {
        return "counter";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        long amount = 1 + random.nextInt(5);
        long invoke = System.nanoTime();
        Status s = status(client.call("INCRBY", KEY, Long.toString(amount)));
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
}
