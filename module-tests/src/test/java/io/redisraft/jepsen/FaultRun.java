package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.NetnsNetwork;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import io.redisraft.jepsen.checker.DatasetCheck;
import io.redisraft.jepsen.history.CheckResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fault-injection run: a cluster, concurrent clients of every workload, a nemesis,
 * then healing, a quiet final read phase and the checkers.
 */
public final class FaultRun {
    /** What to run. */
    public record Config(String name, int nodes, Set<Fault> faults, Duration duration, Duration faultInterval,
                         int clientsPerWorkload, boolean readsAtHome, boolean writesAtHome, List<String> nodeArgs,
                         boolean slotMoves, long seed) {
        /** A run with a random seed, or the one given with -Dfaults.seed (SEED= of scripts/faults.sh). */
        public static Config of(String name, int nodes, Set<Fault> faults, Duration duration) {
            return new Config(name, nodes, faults, duration, Duration.ofSeconds(4), 3, false, false, List.of(), false,
                    Long.getLong("faults.seed", System.nanoTime()));
        }

        public Config withNodeArgs(String... args) {
            return new Config(name, nodes, faults, duration, faultInterval, clientsPerWorkload, readsAtHome,
                    writesAtHome, List.of(args), slotMoves, seed);
        }

        public Config withReadsAtHome() {
            return new Config(name, nodes, faults, duration, faultInterval, clientsPerWorkload, true, writesAtHome,
                    nodeArgs, slotMoves, seed);
        }

        /** Register clients send everything to their own node (followers proxy it: raft.follower-proxy). */
        public Config withEverythingAtHome() {
            return new Config(name, nodes, faults, duration, faultInterval, clientsPerWorkload, true, true, nodeArgs,
                    slotMoves, seed);
        }

        /**
         * Two linked shard groups of {@code nodes} each, the faults aimed at the first, and
         * quarters of the slots moving between them all along (SlotMoves); clients start on the
         * first group and follow MOVED and ASK.
         */
        public Config withSlotMoves() {
            return new Config(name, nodes, faults, duration, faultInterval, clientsPerWorkload, readsAtHome,
                    writesAtHome, nodeArgs, true, seed);
        }
    }

    /** What a run found. */
    public record Result(long seed, long ok, long failed, long info, int faults, Set<Fault> faultKinds,
                         Map<String, Long> okByWorkload, List<CheckResult> checks, List<String> faultLog,
                         int slotMoves, Path historyDir) {
        public int anomalies() {
            return checks.stream().mapToInt(c -> c.anomalies().size()).sum();
        }

        /** Parts of the history no checker could decide: a run with any does not pass. */
        public int unverified() {
            return checks.stream().mapToInt(CheckResult::unverified).sum();
        }

        public String summary() {
            return "faults: " + ok + " ops ok, " + failed + " failed, " + info + " indeterminate, " + faults
                    + " faults injected, " + anomalies() + " anomalies, " + unverified() + " unverified (seed "
                    + seed + ")";
        }

        public String report() {
            StringBuilder sb = new StringBuilder(summary()).append('\n');
            sb.append("  replay with: SEED=").append(seed).append(" scripts/faults.sh (same duration, nemeses, nodes)\n");
            for (String f : faultLog) sb.append("  fault ").append(f).append('\n');
            sb.append("  ok operations per workload: ").append(okByWorkload).append('\n');
            for (CheckResult c : checks) sb.append("  ").append(c.summary()).append('\n');
            sb.append("  histories in ").append(historyDir).append('\n');
            return sb.toString();
        }
    }

    private FaultRun() {}

    public static Result run(Servers servers, Config config) throws InterruptedException {
        Random random = new Random(config.seed());
        boolean partitions = config.faults().stream().anyMatch(Fault::needsNetwork);
        String[] args = config.nodeArgs().toArray(new String[0]);
        NetnsNetwork network = partitions ? servers.network() : null;
        RaftCluster other = null;
        if (config.slotMoves()) {
            if (network != null) throw new IllegalArgumentException("sharded runs do not partition");
            args = sharded(args, "0:8191");
            other = servers.cluster(config.nodes(), sharded(config.nodeArgs().toArray(new String[0]), "8192:16383"));
        }
        RaftCluster cluster = network != null ? servers.cluster(network, config.nodes(), args)
                : servers.cluster(config.nodes(), args);
        SlotMoves moves = null;
        if (other != null) {
            link(cluster, other);
            moves = new SlotMoves(cluster, other);
        }

        List<Workload<?>> workloads = List.of(new RegisterWorkload(5, config.readsAtHome(), config.writesAtHome()), new ListAppendWorkload(4),
                new CounterWorkload(), new ScriptCounterWorkload(), new StateWorkload());
        System.out.println("fault run " + config.name() + ": seed " + config.seed());
        AtomicBoolean stop = new AtomicBoolean();
        Queue<String> clientErrors = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        int process = 0;
        for (Workload<?> w : workloads) {
            for (int i = 0; i < config.clientsPerWorkload(); i++) {
                int p = process++;
                RedisNode home = cluster.nodes().get(p % cluster.nodes().size());
                long clientSeed = random.nextLong();
                Thread t = new Thread(() -> runClient(w, p, cluster, home, stop, new Random(clientSeed), clientErrors),
                        "client-" + w.name() + "-" + p);
                clients.add(t);
            }
        }
        clients.forEach(Thread::start);
        Nemesis nemesis = new Nemesis(cluster, config.faults(), new Random(random.nextLong()));
        long until = System.nanoTime() + config.duration().toNanos();
        try {
            nemesis.run(until, config.faultInterval());
            long left = until - System.nanoTime();
            if (left > 0) Thread.sleep(left / 1_000_000);
        } finally {
            stop.set(true);
            for (Thread t : clients) t.join(120_000);
            nemesis.healAll();
            if (moves != null) moves.stop();
        }

        // Quiet phase: the cluster heals, then final reads and checks.
        cluster.awaitLeader(Duration.ofSeconds(60));
        cluster.awaitConverged();
        if (other != null) {
            other.awaitLeader(Duration.ofSeconds(60));
            other.awaitConverged();
        }
        List<CheckResult> checks = new ArrayList<>();
        long ok = 0;
        long failed = 0;
        long info = 0;
        Map<String, Long> okByWorkload = new LinkedHashMap<>();
        Path dir = Path.of("target", "faults", config.name() + "-" + System.currentTimeMillis()).toAbsolutePath();
        checks.add(CheckResult.of("client-threads", List.copyOf(clientErrors), null));
        checks.add(DatasetCheck.check(cluster, Duration.ofSeconds(60)));
        if (other != null) checks.add(DatasetCheck.check(other, Duration.ofSeconds(60)));
        for (Workload<?> w : workloads) {
            CheckResult result = w.check(cluster);
            if (result != null) checks.add(result);
            Workload.Counts c = w.counts();
            ok += c.ok();
            okByWorkload.put(w.name(), c.ok());
            failed += c.failed();
            info += c.info();
            w.dump(dir.resolve(w.name() + ".history"));
        }
        List<String> faultLog = new ArrayList<>(nemesis.log());
        if (moves != null) {
            faultLog.add("slot moves: " + moves.completed() + " completed, " + moves.retried() + " cut short and run again");
            faultLog.addAll(moves.log());
        }
        Workload.write(dir.resolve("faults.log"), faultLog);
        return new Result(config.seed(), ok, failed, info, nemesis.injected(), nemesis.injectedKinds(), okByWorkload,
                checks, faultLog, moves == null ? 0 : moves.completed(), dir);
    }

    private static String[] sharded(String[] args, String slots) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--raft.sharding", "yes", "--raft.slot-config", slots, "--raft.shardgroup-update-interval",
                "1000"));
        return all.toArray(new String[0]);
    }

    private static void link(RaftCluster a, RaftCluster b) {
        for (RaftCluster[] pair : new RaftCluster[][] {{a, b}, {b, a}}) {
            Object reply = pair[0].awaitLeader().call("RAFT.SHARDGROUP", "LINK", pair[1].awaitLeader().address());
            if (!"OK".equals(reply)) throw new IllegalStateException("linking the shard groups failed: " + reply);
        }
    }

    /** One client; anything it throws ends it and fails the run (an anomaly of "client-threads"). */
    private static void runClient(Workload<?> w, int process, RaftCluster cluster, RedisNode home, AtomicBoolean stop,
                                  Random random, Queue<String> errors) {
        try (ClusterClient client = new ClusterClient(cluster.nodes(), Duration.ofSeconds(10), 5_000);
             ClusterClient local = new ClusterClient(List.of(home), Duration.ofSeconds(2), 5_000, false)) {
            while (!stop.get()) w.step(process, client, local, random);
        } catch (Throwable t) {
            errors.add(w.name() + " client " + process + " failed: " + t);
        }
    }
}
