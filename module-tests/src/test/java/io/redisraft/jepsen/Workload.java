package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A kind of operation the clients run concurrently, with its history and its checker. */
abstract class Workload<T> {
    /** Every operation run, in the order they completed. */
    protected final List<T> history = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** Outcome counts of the recorded operations. */
    record Counts(long ok, long failed, long info) {}

    abstract String name();

    /**
     * Runs one operation of client {@code process}. {@code client} follows redirects to the
     * leader; {@code home} stays on the client's own node (used for reads in some runs).
     */
    abstract void step(int process, ClusterClient client, ClusterClient home, Random random);

    /**
     * After the run, with the cluster healthy: final reads and the consistency check; null
     * for a workload checked only by the run's comparison of the nodes' datasets.
     */
    abstract CheckResult check(RaftCluster cluster);

    /** The status of one recorded operation. */
    abstract Status statusOf(T op);

    List<T> recorded() {
        synchronized (history) {
            return new java.util.ArrayList<>(history);
        }
    }

    Counts counts() {
        return count(recorded().stream().map(this::statusOf).toList());
    }

    /** Writes the history, one operation per line. */
    void dump(Path file) {
        write(file, recorded().stream().map(Object::toString).toList());
    }

    static void write(Path file, List<String> lines) {
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, lines);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    /** The final value of a counter, read through the leader once the cluster is quiet. */
    static long finalCounter(RaftCluster cluster, String key) {
        try (ClusterClient c = new ClusterClient(cluster.nodes(), java.time.Duration.ofSeconds(60), 10_000)) {
            ClusterClient.Outcome o = c.call("GET", key);
            if (!o.ok()) throw new IllegalStateException("final read of " + key + " failed: " + o.value());
            return o.value() == null ? 0 : Long.parseLong((String) o.value());
        }
    }

    static Status status(ClusterClient.Outcome o) {
        return switch (o.status()) {
            case OK -> Status.OK;
            case FAILED -> Status.FAIL;
            case UNKNOWN -> Status.INFO;
        };
    }

    static long completion(Status s) {
        return s == Status.INFO ? Long.MAX_VALUE : System.nanoTime();
    }

    static Counts count(List<Status> statuses) {
        long ok = 0;
        long failed = 0;
        long info = 0;
        for (Status s : statuses) {
            switch (s) {
                case OK -> ok++;
                case FAIL -> failed++;
                case INFO -> info++;
            }
        }
        return new Counts(ok, failed, info);
    }
}
