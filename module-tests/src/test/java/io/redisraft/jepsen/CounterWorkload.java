package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.checker.CounterChecker;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.IncrOp;
import io.redisraft.jepsen.history.Status;
import java.util.Random;

/** A counter: INCRBY with small amounts; the final value must lie between the acknowledged and the possible sums. */
class CounterWorkload extends Workload<IncrOp> {
    private final String key;

    CounterWorkload() {
        this("counter");
    }

    CounterWorkload(String key) {
        this.key = key;
    }

    @Override
    String name() {
        return "counter";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        long amount = 1 + random.nextInt(5);
        long invoke = System.nanoTime();
        Status s = status(increment(client, amount));
        history.add(new IncrOp(process, amount, s, invoke, completion(s)));
    }

    String key() {
        return key;
    }

    /** One increment of the counter. */
    ClusterClient.Outcome increment(ClusterClient client, long amount) {
        return client.call("INCRBY", key, Long.toString(amount));
    }

    @Override
    CheckResult check(RaftCluster cluster) {
        return new CounterChecker().check(recorded(), finalCounter(cluster, key));
    }

    @Override
    Status statusOf(IncrOp op) {
        return op.status();
    }
}
