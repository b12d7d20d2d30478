package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.checker.ListAppendChecker;
import io.redisraft.jepsen.history.MicroOp;
import io.redisraft.jepsen.history.Status;
import io.redisraft.jepsen.history.Txn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jepsen's list-append workload: MULTI / RPUSH k v / LRANGE k 0 -1 / EXEC over a few
 * keys at a time (fresh ones every few hundred transactions, so lists stay short),
 * every appended value unique, checked for strict serializability.
 */
final class ListAppendWorkload extends Workload<Txn> {
    /** Transactions before the workload moves to fresh keys, which keeps lists short. */
    private static final int TXNS_PER_GENERATION = 300;

    private final int keys;
    private final AtomicLong nextValue = new AtomicLong(1);
    private final AtomicLong transactions = new AtomicLong();
    private final java.util.Set<String> used = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ListAppendWorkload(int keys) {
        this.keys = keys;
    }

    @Override
    String name() {
        return "list-append";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        long generation = transactions.getAndIncrement() / TXNS_PER_GENERATION;
        int size = 1 + random.nextInt(4);
        List<MicroOp> ops = new ArrayList<>();
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            // One hash tag per generation: a transaction's keys share a slot (sharded runs).
            String key = "{l" + generation + "}-" + random.nextInt(keys);
            used.add(key);
            if (random.nextBoolean()) {
                long v = nextValue.getAndIncrement();
                ops.add(new MicroOp.Append(key, v));
                commands.add(new String[] {"RPUSH", key, Long.toString(v)});
            } else {
                ops.add(new MicroOp.Read(key, null));
                commands.add(new String[] {"LRANGE", key, "0", "-1"});
            }
        }
        long invoke = System.nanoTime();
        ClusterClient.Outcome o = client.transaction(commands);
        Status s = status(o);
        if (s == Status.OK && !(o.value() instanceof List<?>)) s = Status.FAIL; // e.g. a null EXEC
        long complete = completion(s);
        if (s == Status.OK) ops = withResults(ops, (List<?>) o.value());
        history.add(new Txn(process, ops, s, invoke, complete));
    }

    /** Fills in what the reads returned. */
    private static List<MicroOp> withResults(List<MicroOp> ops, List<?> replies) {
        List<MicroOp> done = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof MicroOp.Read r) {
                List<Long> values = new ArrayList<>();
                for (Object v : (List<?>) replies.get(i)) values.add(Long.valueOf((String) v));
                done.add(new MicroOp.Read(r.key(), values));
            } else {
                done.add(ops.get(i));
            }
        }
        return done;
    }

    @Override
    CheckResult check(RaftCluster cluster) {
        Map<String, List<Long>> finals = new HashMap<>();
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(60), 10_000)) {
            for (String key : used) {
                ClusterClient.Outcome o = c.call("LRANGE", key, "0", "-1");
                if (!o.ok()) throw new IllegalStateException("final read of " + key + " failed: " + o.value());
                List<Long> values = new ArrayList<>();
                for (Object v : (List<?>) o.value()) values.add(Long.valueOf((String) v));
                finals.put(key, values);
            }
        }
        return new ListAppendChecker().check(recorded(), finals);
    }

    @Override
    Status statusOf(Txn op) {
        return op.status();
    }
}
