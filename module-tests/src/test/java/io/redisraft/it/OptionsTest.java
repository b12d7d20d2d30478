package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.Fill;
import io.redisraft.harness.Ports;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** raft.* options do what they say (RedisRaft's, and the test hooks it documents). */
class OptionsTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static long infoLong(RedisNode n, String field) {
        return Long.parseLong(n.info(field));
    }

    @Test
    void logFilenameMayBeAPathAbsoluteOrRelativeToDir() throws IOException {
        Path elsewhere = Files.createTempDirectory("raft-log");
        try {
            RedisNode absolute = servers.node("--raft.log-filename", elsewhere.resolve("raftlog").toString())
                    .start().awaitReady(RaftCluster.READY);
            assertTrue(String.valueOf(absolute.call("RAFT.CLUSTER", "INIT")).startsWith("OK "));
            assertEquals("OK", absolute.call("SET", "k", "v"));
            assertTrue(Files.isDirectory(elsewhere.resolve("raftlog")), "the Raft log is where the option says");
            RedisNode relative = servers.node("--raft.log-filename", "sub/raftlog").start().awaitReady(RaftCluster.READY);
            Files.createDirectories(relative.dir().resolve("sub"));
            assertTrue(String.valueOf(relative.call("RAFT.CLUSTER", "INIT")).startsWith("OK "));
            assertTrue(Files.isDirectory(relative.dir().resolve("sub/raftlog")));
            absolute.kill();
            absolute.start().awaitReady(RaftCluster.READY);
            RaftCluster.awaitTrue(RaftCluster.READY, () -> "v".equals(absolute.call("GET", "k")), "restarted from it");
        } finally {
            Servers.deleteTree(elsewhere);
        }
    }

    @Test
    void anAdvertisedAddressThatIsNotLocalIsNotBoundAndFailedInitsDoNotLeak() throws IOException {
        // A name this host cannot bind (as behind NAT or a load balancer): INIT still works,
        // listening where raft.rpc-bind says (the default, every address, is unit-tested).
        int advertisedPort = Ports.freeRedisPort();
        RedisNode natted = servers.node("--raft.addr", "redis.example.invalid:" + advertisedPort,
                "--raft.rpc-bind", "127.0.0.1").start().awaitReady(RaftCluster.READY);
        assertTrue(String.valueOf(natted.call("RAFT.CLUSTER", "INIT")).startsWith("OK "), natted.logTail(10));
        assertTrue(natted.log().contains("(listening on 127.0.0.1)"), natted.logTail(10));

        // A Raft port in use makes INIT fail, again and again, without exhausting the JVM's memory.
        int busyPort = Ports.freeRedisPort();
        try (ServerSocket busy = new ServerSocket(busyPort, 1, InetAddress.getByName("127.0.0.1"))) {
            RedisNode n = servers.node("--raft.rpc-port", Integer.toString(busyPort),
                    "--raft.jvm-options", "-Xms16m -Xmx96m -XX:+UseSerialGC -XX:MaxDirectMemorySize=48m")
                    .start().awaitReady(RaftCluster.READY);
            for (int i = 0; i < 25; i++) {
                Object reply = n.callSlow(Duration.ofSeconds(60), "RAFT.CLUSTER", "INIT");
                assertInstanceOf(ReplyError.class, reply, "attempt " + i);
            }
            assertTrue(!n.log().contains("OutOfMemoryError"), n.logTail(20));
            busy.close();
            assertTrue(String.valueOf(n.callSlow(Duration.ofSeconds(60), "RAFT.CLUSTER", "INIT")).startsWith("OK "),
                    n.logTail(20));
        }
    }

    @Test
    void tlsBetweenNodesNeedsRedisesTlsSettings() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        Object reply = n.call("CONFIG", "SET", "raft.tls-enabled", "yes");
        assertInstanceOf(ReplyError.class, reply);
        assertTrue(((ReplyError) reply).message().contains("Failed to configure TLS"), reply.toString());
        assertEquals("no", n.config("raft.tls-enabled").get("raft.tls-enabled"));
        RedisNode refused = servers.node("--raft.tls-enabled", "yes");
        refused.start();
        assertTrue(refused.waitExit(30), "refused to start");
        assertTrue(refused.log().contains("Failed to configure TLS"), refused.logTail(10));
    }

    @Test
    void joinTriesEveryAddressOnceEvenWithATinyTimeout() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode joiner = servers.node("--raft.join-timeout", "1").start().awaitReady(RaftCluster.READY);
        assertEquals("OK", joiner.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", "127.0.0.1:1",
                cluster.node(0).address()));
    }

    @Test
    void traceCategoriesShowTheirPartAtDebugLevel() {
        RaftCluster cluster = servers.cluster(1, "--loglevel", "debug", "--raft.loglevel", "debug", "--raft.trace", "generic");
        RedisNode n = cluster.node(0);
        n.call("SET", "k", "v");
        RaftCluster.awaitTrue(RaftCluster.READY, () -> n.log().contains(". <raft> <generic> entry submitted"),
                "generic trace");
        // Redis marks debug lines with '.'; Ratis's info lines about its log are verbose ('-').
        String raftLogDebug = ". <raft> ratis: SegmentedRaftLog";
        assertTrue(!n.log().contains(raftLogDebug), "raftlog is off");
        assertEquals("OK", n.call("CONFIG", "SET", "raft.trace", "raftlog"));
        n.call("SET", "k", "w");
        RaftCluster.awaitTrue(RaftCluster.READY, () -> n.log().contains(raftLogDebug), "raftlog trace");
    }

    @Test
    void testHooksDelayFailAndDisableAsDocumented() {
        // A small log limit from the start: Ratis sizes its log segments from it when the node starts.
        RaftCluster cluster = servers.cluster(1, "--raft.log-max-file-size", "100kb");
        RedisNode n = cluster.node(0);
        assertEquals("OK", n.call("CONFIG", "SET", "raft.log-delay-apply", "300000"));
        long start = System.nanoTime();
        assertEquals("OK", n.call("SET", "slow", "1"));
        assertTrue(System.nanoTime() - start >= 300_000_000L, "log-delay-apply delays applying");
        assertEquals("OK", n.call("CONFIG", "SET", "raft.log-delay-apply", "0"));

        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-fail", "yes"));
        assertEquals("OK", n.call("SET", "unsaved", "1")); // so that a new snapshot must be written
        assertEquals(new ReplyError("ERR debug rdbSave() failed"), n.call("RAFT.DEBUG", "COMPACT"));
        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-fail", "no"));

        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-delay", "2"));
        assertEquals("OK", n.call("SET", "unsaved", "2"));
        start = System.nanoTime();
        assertEquals("OK", n.callSlow(Duration.ofSeconds(30), "RAFT.DEBUG", "COMPACT"));
        assertTrue(System.nanoTime() - start >= 2_000_000_000L, "snapshot-delay delays the snapshot");
        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-delay", "0"));

        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-disable", "yes"));
        long created = infoLong(n, "raft_snapshots_created");
        Fill.values(cluster, "big", 500, 1000, 4);
        RedisNode.sleep(1000);
        assertEquals(created, infoLong(n, "raft_snapshots_created"), "snapshot-disable stops automatic snapshots");
        assertEquals("OK", n.call("RAFT.DEBUG", "COMPACT"), "a requested one is still taken");
        // The control: the same log with snapshots enabled is compacted by itself.
        long requested = infoLong(n, "raft_snapshots_created");
        Fill.values(cluster, "more", 500, 1000, 4);
        assertEquals("OK", n.call("CONFIG", "SET", "raft.snapshot-disable", "no"));
        RaftCluster.awaitTrue(RaftCluster.READY, () -> infoLong(n, "raft_snapshots_created") > requested,
                "an automatic snapshot once enabled again");
    }

    @Test
    void disabledSnapshotLoadingLeavesAJoiningNodeLoading() {
        RaftCluster cluster = servers.cluster(1);
        Fill.mixed(cluster, "k", 1000, 500);
        assertEquals("OK", cluster.node(0).call("RAFT.DEBUG", "COMPACT"));
        RedisNode joiner = servers.node("--raft.snapshot-disable-load", "yes").start().awaitReady(RaftCluster.READY);
        new Thread(() -> {
            try {
                joiner.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", cluster.node(0).address());
            } catch (RuntimeException e) {
                // the joiner never completes the join
            }
        }).start();
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "loading".equals(joiner.info("raft_state")),
                "the joiner received the snapshot and stays loading");
        assertEquals(0L, joiner.call("RAFT.DEBUG", "EXEC", "DBSIZE"));
    }

    @Test
    void infoReportsTheLogCacheAndEntriesAfterTheSnapshot() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        for (int i = 0; i < 50; i++) n.call("SET", "k" + i, "v");
        assertTrue(infoLong(n, "raft_cache_entries") >= 50, n.info("raft_cache_entries"));
        assertTrue(infoLong(n, "raft_cache_memory_size") > 0, n.info("raft_cache_memory_size"));
        assertTrue(infoLong(n, "raft_log_entries") >= 50);
        assertEquals("OK", n.call("RAFT.DEBUG", "COMPACT"));
        n.call("SET", "after", "v");
        assertTrue(infoLong(n, "raft_log_entries") <= 2, "entries after the snapshot: " + n.info("raft_log_entries"));
    }

    @Test
    void infoSplitsTheJvmsMemoryWithinTheBoundsOfJvmOptions() {
        RedisNode n = servers.node("--raft.jvm-options", "-Xms16m -Xmx80m -XX:+UseSerialGC")
                .start().awaitReady(RaftCluster.READY);
        assertTrue(String.valueOf(n.call("RAFT.CLUSTER", "INIT")).startsWith("OK "));
        for (int i = 0; i < 200; i++) n.call("SET", "k" + i, "v");
        long heapMax = infoLong(n, "raft_jvm_heap_max");
        assertTrue(heapMax > 0 && heapMax <= 80L << 20, "heap max " + heapMax);
        long heapUsed = infoLong(n, "raft_jvm_heap_used");
        assertTrue(heapUsed > 0 && heapUsed <= infoLong(n, "raft_jvm_heap_committed"), "heap used " + heapUsed);
        assertTrue(infoLong(n, "raft_jvm_nonheap_committed") >= infoLong(n, "raft_jvm_metaspace_committed")
                + infoLong(n, "raft_jvm_code_cache_committed"));
        assertTrue(infoLong(n, "raft_jvm_metaspace_committed") > 0);
        assertTrue(infoLong(n, "raft_jvm_threads") > 5, n.info("raft_jvm_threads"));
        assertTrue(infoLong(n, "raft_jvm_gc_count") >= 0 && infoLong(n, "raft_jvm_direct_buffers") >= 0);
    }

    /** The node line INFO raft shows for the peer, as field=value pairs. */
    private static Map<String, String> nodeLine(RedisNode n, String peerId) {
        for (Map.Entry<String, String> field : n.info().entrySet()) {
            if (!field.getKey().startsWith("raft_node") || !field.getValue().startsWith("id=" + peerId + ",")) continue;
            Map<String, String> pairs = new HashMap<>();
            for (String pair : field.getValue().split(",")) {
                String[] kv = pair.split("=", 2);
                pairs.put(kv[0], kv[1]);
            }
            return pairs;
        }
        return Map.of();
    }

    @Test
    void infoCountsEachLinkLostAndRestored() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        String followerId = follower.info("raft_node_id");
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "connected".equals(nodeLine(leader, followerId).get("state")),
                "the link to the follower is up: " + nodeLine(leader, followerId));
        // Counts, not exact values: a busy machine may have lost the link for a moment before.
        long errors = Long.parseLong(nodeLine(leader, followerId).get("conn_errors"));
        long oks = Long.parseLong(nodeLine(leader, followerId).get("conn_oks"));
        assertTrue(oks >= 1, "the link came up at least once: " + nodeLine(leader, followerId));
        follower.kill();
        RaftCluster.awaitTrue(RaftCluster.READY,
                () -> Long.parseLong(nodeLine(leader, followerId).get("conn_errors")) > errors,
                "the lost link is counted: " + nodeLine(leader, followerId));
        assertEquals("disconnected", nodeLine(leader, followerId).get("state"));
        follower.start().awaitReady(RaftCluster.READY);
        RaftCluster.awaitTrue(RaftCluster.CONVERGE,
                () -> Long.parseLong(nodeLine(leader, followerId).get("conn_oks")) > oks,
                "the restored link is counted: " + nodeLine(leader, followerId));
        assertEquals("connected", nodeLine(leader, followerId).get("state"));
    }
}
