package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands;
import io.redisraft.harness.Datasets;
import io.redisraft.harness.Fill;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Log compaction through RDB snapshots, snapshot delivery to new or lagging nodes, and crash safety. */
class SnapshotTest {
    /** Small enough that compaction runs several times while the cluster is filled. */
    private static final String[] SMALL_LOG = {"--raft.log-max-file-size", "1mb"};

    @RegisterExtension
    final Servers servers = new Servers();

    private static long infoLong(RedisNode n, String field) {
        return Long.parseLong(n.info(field));
    }

    private static void assertIdentical(RaftCluster cluster) {
        cluster.assertIdentical();
    }

    @Test
    void compactionUnderLoadThenJoinAndRestartKeepEveryKey() {
        RaftCluster cluster = servers.cluster(3, SMALL_LOG);
        Fill.mixed(cluster, "k", 190_000, 2_000);
        // Plain writes make the log grow (a script's entry is small whatever it writes).
        Fill.values(cluster, "v", 10_000, 500, 16);
        RedisNode leader = cluster.awaitLeader();
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> cluster.nodes().stream()
                .allMatch(n -> infoLong(n, "raft_snapshots_created") >= 2), "repeated compaction on every node");
        for (RedisNode n : cluster.nodes()) {
            // About 5 MB of log was written; what remains is the tail after the last snapshot.
            assertTrue(infoLong(n, "raft_file_size") < 3L << 20, n + " log not compacted: " + n.info("raft_file_size"));
            assertTrue(infoLong(n, "raft_snapshot_last_idx") > 0);
            assertTrue(infoLong(n, "raft_snapshot_size") > 0);
        }
        assertEquals(200_000L, leader.call("DBSIZE"));

        // A node that joins now can only get the data from a snapshot.
        RedisNode late = cluster.addNode(SMALL_LOG);
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> infoLong(late, "raft_snapshots_received") >= 1,
                "snapshot delivered to the new node");
        Fill.mixed(cluster, "after", 500, 100);
        assertIdentical(cluster);

        // Restart a follower: it loads its snapshot, then replays the log tail.
        RedisNode follower = cluster.nodes().stream().filter(n -> n != cluster.awaitLeader() && n != late)
                .findFirst().orElseThrow();
        follower.kill();
        Fill.mixed(cluster, "tail", 500, 100);
        follower.start().awaitReady(RaftCluster.READY);
        assertIdentical(cluster);
        assertEquals(201_000, Datasets.of(follower).size());
    }

    @Test
    void aDownFollowerNeitherKeepsTheLogNorMakesCompactionLoop() {
        RaftCluster cluster = servers.cluster(3, SMALL_LOG);
        RedisNode leader = cluster.awaitLeader();
        RedisNode down = cluster.aFollower();
        down.kill();
        // About 5 MB of log with a follower that acknowledges nothing of it.
        Fill.values(cluster, "v", 10_000, 500, 16);
        RedisNode current = cluster.awaitLeader();
        long created = infoLong(current, "raft_snapshots_created");
        assertTrue(created >= 2, "the log was compacted: " + created + " snapshots");
        // One snapshot per log-max-file-size of log written, give or take: not one per housekeeping tick.
        assertTrue(created <= 10, "compaction looped: " + created + " snapshots for about 5 MB of log");
        assertTrue(infoLong(current, "raft_file_size") < 3L << 20,
                "log kept for the down follower: " + current.info("raft_file_size"));

        // The follower's entries are gone from the log: it comes back through a snapshot.
        down.start().awaitReady(RaftCluster.READY);
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> infoLong(down, "raft_snapshots_received") >= 1,
                "snapshot delivered to the restarted follower");
        assertIdentical(cluster);
        assertEquals(10_000, Datasets.of(down).size());
    }

    @Test
    void aLogLimitBelowOneSegmentDoesNotSnapshotOnEveryTick() {
        // 100 kB is less than one Ratis log segment (256 kB): the segment being written
        // stays above the limit after every snapshot.
        RaftCluster cluster = servers.cluster(3, "--raft.log-max-file-size", "100kb");
        RedisNode leader = cluster.awaitLeader();
        String value = "x".repeat(1000);
        try (Jedis j = leader.client()) {
            // About 200 kB of log over 10 s: 100 housekeeping ticks.
            for (int i = 0; i < 200; i++) {
                j.set("slow" + i, value);
                RedisNode.sleep(50);
            }
        }
        long created = infoLong(leader, "raft_snapshots_created");
        assertTrue(created >= 1, "the log was compacted");
        assertTrue(created <= 8, created + " snapshots for about 200 kB of log");
    }

    @Test
    void killDuringSnapshotCreationLosesNoCommittedKey() {
        RaftCluster cluster = servers.cluster(3);
        Fill.mixed(cluster, "k", 100_000, 2_000);
        RedisNode victim = cluster.awaitLeader();
        // A snapshot of 100k keys lasts a few hundred ms; kill the node while one runs (retry if one
        // finished before it was seen running: that attempt's new keys make the next one a real snapshot).
        boolean killedDuringSnapshot = false;
        int attempts = 0;
        while (attempts < 5 && !killedDuringSnapshot) {
            Fill.mixed(cluster, "attempt" + attempts++ + "-", 200, 100);
            killedDuringSnapshot = killWhileSnapshotting(victim);
        }
        assertTrue(killedDuringSnapshot, "the node was never seen taking a snapshot");
        Fill.mixed(cluster, "while-down", 1000, 100);
        victim.start().awaitReady(RaftCluster.READY);
        assertIdentical(cluster);
        assertEquals(101_000 + 200 * attempts, Datasets.of(victim).size());
        // The interrupted snapshot is taken again and succeeds.
        assertEquals("OK", victim.call("RAFT.DEBUG", "COMPACT"));
    }

    @Test
    void killDuringSnapshotInstallationRecovers() {
        RaftCluster cluster = servers.cluster(2, SMALL_LOG);
        Fill.mixed(cluster, "k", 200_000, 2_000);
        RedisNode leader = cluster.awaitLeader();
        assertEquals("OK", leader.call("RAFT.DEBUG", "COMPACT"));
        RedisNode joiner = servers.node(SMALL_LOG).start().awaitReady(RaftCluster.READY);
        Thread join = new Thread(() -> {
            try {
                joiner.call("RAFT.CLUSTER", "JOIN", leader.address());
            } catch (RuntimeException killedMeanwhile) {
                // the joiner is killed while it waits for this reply
            }
        });
        join.start();
        // Kill the newcomer as soon as snapshot chunks start arriving.
        RaftCluster.awaitTrue(Duration.ofSeconds(60), () -> receivingSnapshot(joiner), "snapshot transfer started");
        joiner.kill();
        assertFalse(joiner.log().contains("installed the leader's snapshot"), "killed only after the installation");
        joiner.start().awaitReady(RaftCluster.READY);
        cluster.nodes().add(joiner);
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "3".equals(leader.info("raft_num_nodes"))
                && "up".equals(joiner.info("raft_state")), "joiner back up");
        assertIdentical(cluster);
        assertEquals(200_000, Datasets.of(joiner).size());
    }

    @Test
    void corruptedSnapshotIsRefusedAndNeverLoaded() throws IOException {
        RaftCluster cluster = servers.cluster(3);
        Fill.mixed(cluster, "k", 20_000, 2_000);
        RedisNode victim = cluster.nodes().stream().filter(n -> n != cluster.awaitLeader()).findFirst().orElseThrow();
        cluster.awaitConverged();
        assertEquals("OK", victim.call("RAFT.DEBUG", "COMPACT"));
        victim.kill();
        Path snapshot = newestSnapshot(victim);
        try (FileChannel c = FileChannel.open(snapshot, StandardOpenOption.WRITE)) {
            c.truncate(c.size() / 2);
        }
        // Without dump.rdb the node must load the (now truncated) snapshot: it refuses.
        Files.delete(victim.dir().resolve("dump.rdb"));
        victim.start().awaitReady(RaftCluster.READY);
        RaftCluster.awaitTrue(RaftCluster.READY, () -> victim.log().contains("Raft is not started"), "refusal logged");
        assertTrue(victim.log().contains("truncated"), victim.logTail(20));
        assertEquals(0L, victim.call("RAFT.DEBUG", "EXEC", "DBSIZE"));
        assertFalse("up".equals(victim.info("raft_state")));
        assertTrue(victim.call("GET", "k1") instanceof Commands.ReplyError);
        // The rest of the cluster is unaffected.
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            assertTrue(c.call("SET", "still", "writable").ok());
        }
    }

    /** Starts a snapshot and SIGKILLs the node as soon as INFO shows it running; false if it was never seen. */
    private static boolean killWhileSnapshotting(RedisNode node) {
        try (Jedis j = node.client()) {
            j.sendCommand(() -> "RAFT.DEBUG".getBytes(), "COMPACT", "1");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                if (j.info("raft").contains("raft_snapshot_in_progress:yes")) {
                    node.kill();
                    return true;
                }
            }
        }
        return false;
    }

    /** Ratis writes incoming chunks under the member's tmp/ directory (moved to sm/ once complete). */
    static boolean receivingSnapshot(RedisNode n) {
        try (Stream<Path> files = Files.walk(n.dir().resolve("redisraft.db"))) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".rdb")
                    && p.toString().contains("/tmp/"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static Path newestSnapshot(RedisNode n) throws IOException {
        try (Stream<Path> files = Files.walk(n.dir().resolve("redisraft.db"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".rdb") && p.getParent().endsWith("sm"))
                    .max((a, b) -> Long.compare(index(a), index(b))).orElseThrow();
        }
    }

    private static long index(Path rdb) {
        String name = rdb.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('_') + 1, name.indexOf(".rdb")));
    }
}
