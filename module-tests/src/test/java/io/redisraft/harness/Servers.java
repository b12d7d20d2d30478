package io.redisraft.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that hands out redis-server nodes and clusters to a test and
 * reaps all of them after it. When the test fails, the end of each node's log is
 * printed and its directory (under target/servers) is kept.
 *
 * <pre>
 *   &#64;RegisterExtension final Servers servers = new Servers();
 *   RaftCluster cluster = servers.cluster(3);
 * </pre>
 */
public final class Servers implements BeforeEachCallback, AfterEachCallback {
    private static final Path ROOT = Path.of("target", "servers").toAbsolutePath();

    private final List<RedisNode> nodes = new ArrayList<>();
    private final List<NetnsNetwork> networks = new ArrayList<>();
    private Path testDir;
    private int counter;
    private Tls tls;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        testDir = ROOT.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(testDir);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        boolean failed = context.getExecutionException().isPresent();
        if (failed) {
            for (RedisNode n : nodes) {
                System.err.println("===== log of " + n + " (" + n.logFile() + ") =====");
                System.err.println(n.logTail(150));
            }
        }
        for (RedisNode n : nodes) {
            if (n.isRunning()) n.resume();
            n.kill();
        }
        for (NetnsNetwork n : networks) n.close();
        if (!failed) deleteTree(testDir);
    }

    /** The directory of this test's files. */
    public Path testDir() {
        return testDir;
    }

    /** Nodes made from now on serve TLS only and use it between nodes (raft.tls-enabled); null: plain again. */
    public void useTls(Tls tls) {
        this.tls = tls;
    }

    /** A node (not started yet) with extra redis-server arguments, e.g. "--raft.id", "7". */
    public RedisNode node(String... extraArgs) {
        int i = ++counter;
        RedisNode n = new RedisNode("node" + i, testDir.resolve("node" + i), Ports.freeRedisPort(),
                Arrays.asList(extraArgs), tls);
        nodes.add(n);
        return n;
    }

    /** A private network whose hosts are network namespaces (see {@link NetnsNetwork}). */
    public NetnsNetwork network() {
        NetnsNetwork n = NetnsNetwork.create();
        networks.add(n);
        return n;
    }

    /** A node (not started) on host {@code i} of a private network; every host uses port 7000. */
    public RedisNode node(NetnsNetwork network, int i, String... extraArgs) {
        String host = network.addHost(i);
        int n = ++counter;
        RedisNode node = new RedisNode("node" + n, testDir.resolve("node" + n), host, 7000,
                Arrays.asList(extraArgs), network.launcher(i), tls);
        nodes.add(node);
        return node;
    }

    /** A started, formed cluster on a private network (one namespace per node). */
    public RaftCluster cluster(NetnsNetwork network, int size, String... extraArgs) {
        RaftCluster cluster = new RaftCluster(this, extraArgs, network);
        for (int i = 0; i < size; i++) cluster.addNode();
        cluster.awaitLeader();
        return cluster;
    }

    /** A started, formed cluster of {@code size} nodes (first one INIT, the others JOIN). */
    public RaftCluster cluster(int size, String... extraArgs) {
        RaftCluster cluster = new RaftCluster(this, extraArgs, null);
        for (int i = 0; i < size; i++) cluster.addNode();
        cluster.awaitLeader();
        return cluster;
    }

    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
