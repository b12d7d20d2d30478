package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.Status;
import java.util.Random;

/**
 * Operations whose effect on each node depends on more than the command itself, checked
 * by the run's comparison of every node's dataset (values and deadlines):
 * <ul>
 * <li>keys with short deadlines (SET PX, SET NX PX, PEXPIRE, GETEX, INCR on expiring keys,
 *     TTL read inside a script), so that entries land right at deadlines, are replayed
 *     after restarts and travel in snapshots;</li>
 * <li>scripts that copy a set and a hash into lists, whose order differs between
 *     processes unless the module makes it deterministic.</li>
 * </ul>
 * Keys move to fresh ones every few hundred operations.
 */
final class StateWorkload extends Workload<StateWorkload.Op> {
    record Op(int process, String command, Status status) {}

    private static final int OPS_PER_GENERATION = 300;
    private static final String COPY = String.join("\n",
            "for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('RPUSH', KEYS[3], m) end",
            "for _, m in ipairs(redis.call('HGETALL', KEYS[2])) do redis.call('RPUSH', KEYS[3], m) end",
            "return redis.call('LLEN', KEYS[3])");
    private static final String SET_WITH_TTL = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
            + "return redis.call('PTTL', KEYS[1])";

    private final java.util.concurrent.atomic.AtomicLong operations = new java.util.concurrent.atomic.AtomicLong();

    @Override
    String name() {
        return "state";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        long n = operations.getAndIncrement();
        long generation = n / OPS_PER_GENERATION;
        String key = "t" + generation + "-" + random.nextInt(4);
        String ttl = Integer.toString(20 + random.nextInt(1500));
        String[] command = switch (random.nextInt(10)) {
            case 0 -> new String[] {"SET", key, "v" + n, "PX", ttl};
            case 1 -> new String[] {"SET", key, "v" + n, "NX", "PX", ttl};
            case 2 -> new String[] {"INCR", key};
            case 3 -> new String[] {"PEXPIRE", key, ttl};
            case 4 -> new String[] {"GETEX", key, "PX", ttl};
            case 5 -> new String[] {"EVAL", SET_WITH_TTL, "1", key, "s" + n, ttl};
            // One hash tag per generation: the script's keys share a slot (sharded runs).
            case 6 -> new String[] {"SADD", "set{g" + generation + "}", "m" + random.nextInt(200)};
            case 7 -> new String[] {"HSET", "hash{g" + generation + "}", "f" + random.nextInt(50), "v" + n};
            case 8 -> new String[] {"EVAL", COPY, "3", "set{g" + generation + "}", "hash{g" + generation + "}",
                    "copy{g" + generation + "}-" + n};
            default -> new String[] {"GET", key};
        };
        Status s = status(client.call(command));
        history.add(new Op(process, command[0], s));
    }

    /** Nothing of its own: the run compares the datasets of all nodes (FaultRun). */
    @Override
    CheckResult check(RaftCluster cluster) {
        return null;
    }

    @Override
    Status statusOf(Op op) {
        return op.status();
    }
}
