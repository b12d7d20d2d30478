package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Killing or pausing the leader loses no acknowledged write; the cluster elects another and goes on. */
class FailoverTest {
    @RegisterExtension
    final Servers servers = new Servers();

    /** One writer incrementing its own counter; counts what was acknowledged and what is in doubt. */
    private static final class Writer extends Thread {
        final String key;
        final ClusterClient client;
        final AtomicBoolean stop;
        final AtomicLong acked = new AtomicLong();
        final AtomicLong inDoubt = new AtomicLong();
        /** What went wrong in this thread (checked by the test, which a thrown error would not reach). */
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Writer(RaftCluster cluster, String key, AtomicBoolean stop) {
            this.key = key;
            this.client = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000);
            this.stop = stop;
        }

        @Override
        public void run() {
            try (client) {
                while (!stop.get()) {
                    ClusterClient.Outcome o = client.call("INCR", key);
                    switch (o.status()) {
                        case OK -> acked.incrementAndGet();
                        case UNKNOWN -> inDoubt.incrementAndGet();
                        case FAILED -> throw new AssertionError("INCR " + key + " failed: " + o.value());
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }
    }

    private static List<Writer> startWriters(RaftCluster cluster, AtomicBoolean stop) {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) writers.add(new Writer(cluster, "counter" + i, stop));
        writers.forEach(Thread::start);
        return writers;
    }

    private static void stopAndCheck(RaftCluster cluster, AtomicBoolean stop, List<Writer> writers) throws Exception {
        stop.set(true);
        for (Writer w : writers) w.join(60_000);
        for (Writer w : writers) {
            if (w.failure.get() != null) throw new AssertionError("writer " + w.key + " failed", w.failure.get());
        }
        try (ClusterClient reader = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            for (Writer w : writers) {
                ClusterClient.Outcome o = reader.call("GET", w.key);
                assertTrue(o.ok(), "GET " + w.key + ": " + o.value());
                long value = Long.parseLong((String) o.value());
                assertTrue(w.acked.get() > 0, "writer " + w.key + " made no progress");
                assertTrue(value >= w.acked.get() && value <= w.acked.get() + w.inDoubt.get(),
                        w.key + " = " + value + " but " + w.acked + " acknowledged, " + w.inDoubt + " in doubt");
            }
        }
    }

    @Test
    void leaderKilledUnderConcurrentWritersLosesNoAcknowledgedWrite() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode oldLeader = cluster.awaitLeader();
        AtomicBoolean stop = new AtomicBoolean();
        List<Writer> writers = startWriters(cluster, stop);
        Thread.sleep(2000);
        oldLeader.kill();
        RedisNode newLeader = cluster.awaitLeader(Duration.ofSeconds(15));
        assertNotSame(oldLeader, newLeader);
        Thread.sleep(2000);
        oldLeader.start().awaitReady(RaftCluster.READY);
        Thread.sleep(1000);
        stopAndCheck(cluster, stop, writers);
        cluster.awaitConverged();
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "follower".equals(oldLeader.info("raft_role")),
                "old leader rejoins as follower");
        cluster.assertIdentical();
    }

    @Test
    void pausedLeaderIsReplacedAndRejoins() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode oldLeader = cluster.awaitLeader();
        AtomicBoolean stop = new AtomicBoolean();
        List<Writer> writers = startWriters(cluster, stop);
        Thread.sleep(1000);
        oldLeader.pause();
        try {
            RaftCluster.awaitTrue(Duration.ofSeconds(15), () -> cluster.nodes().stream()
                    .anyMatch(n -> n != oldLeader && "leader".equals(n.info("raft_role"))), "a new leader");
            Thread.sleep(10_000);
        } finally {
            oldLeader.resume();
        }
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "follower".equals(oldLeader.info("raft_role"))
                && "up".equals(oldLeader.info("raft_state")), "old leader back as follower");
        stopAndCheck(cluster, stop, writers);
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    @Test
    void pausedFollowerRejoins() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        AtomicBoolean stop = new AtomicBoolean();
        List<Writer> writers = startWriters(cluster, stop);
        follower.pause();
        try {
            Thread.sleep(10_000);
        } finally {
            follower.resume();
        }
        Thread.sleep(1000);
        stopAndCheck(cluster, stop, writers);
        cluster.awaitConverged();
        assertEquals("up", follower.info("raft_state"));
        cluster.assertIdentical();
    }
}
