package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.checker.LinearizabilityChecker;
import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Registers: GET, SET and compare-and-set (a Lua script) on a few keys with small
 * values, checked for linearizability key by key. With {@code readsAtHome} reads go to
 * the client's own node instead of the leader (a follower answers -MOVED, a failure).
 */
final class RegisterWorkload extends Workload {
    private static final String CAS = "local v = redis.call('GET', KEYS[1]) "
            + "if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

    private final int keys;
    private final boolean readsAtHome;
    private final List<RegisterOp> history = Collections.synchronizedList(new ArrayList<>());

    RegisterWorkload(int keys, boolean readsAtHome) {
        this.keys = keys;
        this.readsAtHome = readsAtHome;
    }

    @Override
    String name() {
        return "registers";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        String key = "r" + random.nextInt(keys);
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
            Status s = status(client.call("SET", key, Long.toString(v)));
            history.add(new RegisterOp(process, key, RegisterOp.Kind.WRITE, v, null, null, s, invoke, completion(s)));
        } else {
            long expected = random.nextInt(5);
            long v = random.nextInt(5);
            ClusterClient.Outcome o = client.call("EVAL", CAS, "1", key, Long.toString(expected), Long.toString(v));
            Status s = status(o);
            Boolean swapped = s == Status.OK ? Long.valueOf(1).equals(o.value()) : null;
            history.add(new RegisterOp(process, key, RegisterOp.Kind.CAS, v, expected, swapped, s, invoke,
                    completion(s)));
        }
    }

    @Override
    CheckResult check(RaftCluster cluster) {
        return new LinearizabilityChecker().check(new ArrayList<>(history));
    }

    @Override
    Counts counts() {
        return count(history.stream().map(RegisterOp::status).toList());
    }

    @Override
    void dump(Path file) {
        List<String> lines = new ArrayList<>();
        synchronized (history) {
            for (RegisterOp op : history) lines.add(op.toString());
        }
        write(file, lines);
    }

    static void write(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }
}
