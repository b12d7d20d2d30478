package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.checker.LinearizabilityChecker;
import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.util.List;
import java.util.Random;

/**
 * Registers: GET, SET and compare-and-set (a Lua script) on a few keys at a time with
 * small values, checked for linearizability key by key (every few hundred operations
 * the clients move on to fresh keys, as Jepsen does). With {@code readsAtHome} reads go to
 * the client's own node instead of the leader (a follower answers -MOVED, a failure); with
 * {@code writesAtHome} writes and compare-and-sets too (for followers that proxy).
 */
final class RegisterWorkload extends Workload<RegisterOp> {
    private static final String CAS = "local v = redis.call('GET', KEYS[1]) "
            + "if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

    /** Operations per key before the workload moves to fresh keys, which keeps each key's search small. */
    private static final int OPS_PER_KEY = 400;

    private final int keys;
    private final boolean readsAtHome;
    private final boolean writesAtHome;
    private final java.util.concurrent.atomic.AtomicLong operations = new java.util.concurrent.atomic.AtomicLong();

    RegisterWorkload(int keys, boolean readsAtHome, boolean writesAtHome) {
        this.keys = keys;
        this.readsAtHome = readsAtHome;
        this.writesAtHome = writesAtHome;
    }

    @Override
    String name() {
        return "registers";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        long generation = operations.getAndIncrement() / ((long) OPS_PER_KEY * keys);
        String key = "r" + generation + "-" + random.nextInt(keys);
        int choice = random.nextInt(4);
        long invoke = System.nanoTime();
        if (choice <= 1) {
            ClusterClient.Outcome o = (readsAtHome ? home : client).call("GET", key);
            Status s = status(o);
            Long value = s == Status.OK && o.value() != null ? Long.valueOf((String) o.value()) : null;
            history.add(new RegisterOp(process, key, RegisterOp.Kind.READ, null, null, s == Status.OK ? value : null,
                    s, invoke, completion(s)));
        } else if (choice == 2) {
            long v = random.nextInt(5);
            Status s = status((writesAtHome ? home : client).call("SET", key, Long.toString(v)));
            history.add(new RegisterOp(process, key, RegisterOp.Kind.WRITE, v, null, null, s, invoke, completion(s)));
        } else {
            long expected = random.nextInt(5);
            long v = random.nextInt(5);
            ClusterClient.Outcome o = (writesAtHome ? home : client).call("EVAL", CAS, "1", key,
                    Long.toString(expected), Long.toString(v));
            Status s = status(o);
            Boolean swapped = s == Status.OK ? Long.valueOf(1).equals(o.value()) : null;
            history.add(new RegisterOp(process, key, RegisterOp.Kind.CAS, v, expected, swapped, s, invoke,
                    completion(s)));
        }
    }

    @Override
    CheckResult check(RaftCluster cluster) {
        return new LinearizabilityChecker().check(recorded());
    }

    @Override
    Status statusOf(RegisterOp op) {
        return op.status();
    }
}
