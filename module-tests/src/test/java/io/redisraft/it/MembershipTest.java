package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.Commands;
import io.redisraft.harness.Datasets;
import io.redisraft.harness.Fill;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Nodes are removed and added back; a minority refuses to serve. */
class MembershipTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aRemovedNodeShutsDownAndItsIdNeverJoinsAgain() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode victim = cluster.aFollower();
        String victimId = victim.info("raft_node_id");
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            assertTrue(c.call("SET", "before", "1").ok());
            assertEquals("OK", leader.call("RAFT.NODE", "REMOVE", victimId));
            assertTrue(victim.waitExit(30), "the removed node shut its redis-server down");
            assertEquals(0, victim.exitCode());
            assertTrue(victim.log().contains("*** NODE REMOVED, SHUTTING DOWN."), victim.logTail(10));
            RaftCluster.awaitTrue(RaftCluster.READY, () -> "2".equals(leader.info("raft_num_nodes")), "2 members");
            assertTrue(c.call("SET", "while-two", "1").ok());

            // Its files were set aside: started again, it is a new node, outside any cluster.
            victim.start().awaitReady(RaftCluster.READY);
            assertEquals("uninitialized", victim.info("raft_state"));
            // The removed id can never be added again, also after compaction and restarts.
            assertEquals("OK", leader.call("RAFT.DEBUG", "COMPACT"));
            RedisNode restarted = cluster.nodes().stream().filter(n -> n != leader && n != victim).findFirst()
                    .orElseThrow();
            restarted.kill();
            restarted.start().awaitReady(RaftCluster.READY);
            RedisNode current = cluster.awaitLeader();
            assertEquals(new ReplyError("ERR node id has already been used in this cluster"),
                    current.call("RAFT.NODE", "ADD", victimId, victim.address()));
            assertTrue(((List<?>) current.call("RAFT.DEBUG", "USED_NODE_IDS")).contains(Long.parseLong(victimId)));

            cluster.join(victim);
            RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "3".equals(current.info("raft_num_voting_nodes")),
                    "3 voting members again");
            assertTrue(!victimId.equals(victim.info("raft_node_id")));
            assertTrue(c.call("SET", "after", "1").ok());
        }
        cluster.assertIdentical();
        assertEquals(List.of("after", "before", "while-two"), List.copyOf(Datasets.of(victim).keySet()));
    }

    @Test
    void membersCanBeRemovedDownToTheLastOneWhichThenShutsDown() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        leader.call("SET", "k", "v");
        for (RedisNode n : cluster.nodes()) {
            if (n == leader) continue;
            String id = n.info("raft_node_id");
            Object reply = null;
            for (int i = 0; i < 50 && !"OK".equals(reply); i++) {
                reply = leader.call("RAFT.NODE", "REMOVE", id);
                if (!"OK".equals(reply)) RedisNode.sleep(200); // one voting change at a time
            }
            assertEquals("OK", reply);
            assertTrue(n.waitExit(30), n + " shut down");
        }
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "1".equals(leader.info("raft_num_nodes")), "one member left");
        assertEquals("v", leader.call("GET", "k"));
        assertEquals("OK", leader.call("SET", "alone", "yes"));
        // The last member removes itself: it shuts down (RedisRaft gives no reply either).
        try (Jedis j = leader.client()) {
            j.sendCommand(Commands.named("RAFT.NODE"), "REMOVE", leader.info("raft_node_id"));
        } catch (RuntimeException connectionClosed) {
            // expected: the server exits instead of answering
        }
        assertTrue(leader.waitExit(30), "the last member shut down");
    }

    /**
     * Regression (found by FailoverTest under load): a leader elected while a new member was
     * being promoted from Ratis listener to voter could not take office, and the cluster
     * stayed leaderless. Joins now go through Ratis staging; a leader change in the middle
     * of one must leave a serving cluster and a completed join.
     */
    @Test
    void leaderChangeWhileANodeJoinsKeepsTheClusterServing() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        Fill.mixed(cluster, "k", 20_000, 2_000);
        RedisNode oldLeader = cluster.awaitLeader();
        long termBefore = Long.parseLong(oldLeader.info("raft_current_term"));
        RedisNode joiner = servers.node().start().awaitReady(RaftCluster.READY);
        AtomicReference<Object> joined = new AtomicReference<>();
        Thread join = new Thread(() -> joined.set(joiner.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN",
                cluster.node(0).address(), cluster.node(1).address(), cluster.node(2).address())));
        join.start();
        RaftCluster.awaitTrue(RaftCluster.READY, () -> joiner.log().contains("Raft server started"), "join under way");
        oldLeader.pause();
        try {
            Thread.sleep(5_000);
        } finally {
            oldLeader.resume();
        }
        join.join(RaftCluster.JOIN.toMillis());
        assertEquals("OK", joined.get(), joiner.logTail(30));
        cluster.nodes().add(joiner);
        RedisNode leader = cluster.awaitLeader();
        assertTrue(Long.parseLong(leader.info("raft_current_term")) > termBefore, "the leader changed during the join");
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "4".equals(leader.info("raft_num_voting_nodes")),
                "4 voting members");
        assertEquals("OK", leader.call("SET", "after", "1"));
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) Datasets.assertSame(Datasets.of(leader), Datasets.of(n), n + " dataset");
    }

    @Test
    void minorityRefusesWritesAndReads() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        assertEquals("OK", leader.call("SET", "k", "v1"));
        for (RedisNode n : cluster.nodes()) if (n != leader) n.kill();
        // The lone leader loses its lease and steps down; nothing it says may look like success.
        RaftCluster.awaitTrue(RaftCluster.READY, () -> leader.call("SET", "k", "v2") instanceof ReplyError e
                && e.code().equals("CLUSTERDOWN"), "writes refused");
        Object read = leader.call("GET", "k");
        assertInstanceOf(ReplyError.class, read, "a minority node must not serve reads");
        Object write = leader.call("SET", "k", "v3");
        assertInstanceOf(ReplyError.class, write);
    }

    /**
     * A removal that waits while a join is in progress must not undo the join: each
     * change is computed from the configuration current when it is made, and set only
     * if that configuration is still current (compare-and-set).
     */
    @Test
    void aRemovalRetriedDuringAJoinKeepsTheJoinedNode() throws InterruptedException {
        RaftCluster cluster = servers.cluster(3);
        // Enough data that the join needs a snapshot and takes a while.
        Fill.mixed(cluster, "k", 100_000, 2_000);
        RedisNode leader = cluster.awaitLeader();
        assertEquals("OK", leader.call("RAFT.DEBUG", "COMPACT"));
        RedisNode victim = cluster.aFollower();
        String victimId = victim.info("raft_node_id");
        RedisNode joiner = servers.node().start().awaitReady(RaftCluster.READY);
        AtomicReference<Object> joined = new AtomicReference<>();
        Thread join = new Thread(() -> joined.set(joiner.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN",
                leader.address())));
        join.start();
        // Remove while the joiner is being caught up (its configuration change is in progress).
        RaftCluster.awaitTrue(Duration.ofSeconds(60), () -> SnapshotTest.receivingSnapshot(joiner),
                "the joiner receives the snapshot");
        // One voting change at a time: the removal is refused while the join is in progress, and a
        // retry (as a client or tool does) is computed from the configuration that has the joiner.
        Object removed = leader.call("RAFT.NODE", "REMOVE", victimId);
        boolean refusedWhileJoining = new ReplyError("ERR one voting change only").equals(removed);
        long giveUp = System.nanoTime() + RaftCluster.JOIN.toNanos();
        while (!"OK".equals(removed)) {
            assertEquals(new ReplyError("ERR one voting change only"), removed);
            assertTrue(System.nanoTime() < giveUp, "the removal was refused until the join's time was up");
            RedisNode.sleep(200);
            removed = leader.call("RAFT.NODE", "REMOVE", victimId);
        }
        join.join(RaftCluster.JOIN.toMillis());
        assertTrue(refusedWhileJoining, "the removal came while the join was in progress");
        assertEquals("OK", joined.get());
        String joinerId = joiner.info("raft_node_id");
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "3".equals(leader.info("raft_num_voting_nodes")),
                "3 voters: the joiner in, the victim out");
        String members = leader.info().entrySet().stream().filter(e -> e.getKey().startsWith("raft_node"))
                .map(e -> e.getValue()).toList().toString();
        assertTrue(members.contains("id=" + joinerId + ","), "the joined node stayed: " + members);
        assertTrue(!members.contains("id=" + victimId + ","), "the removed node left: " + members);
    }
}
