package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RAFT.CLUSTER INIT / JOIN and what INFO raft shows about the cluster. */
class ClusterFormationTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void threeNodesFormOneClusterWithOneLeader() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        String leaderId = leader.info("raft_node_id");
        RaftCluster.awaitTrue(RaftCluster.READY, () -> cluster.nodes().stream()
                .allMatch(n -> "yes".equals(n.info("raft_is_voting"))), "all nodes voting");
        for (RedisNode n : cluster.nodes()) {
            Map<String, String> info = n.info();
            assertEquals(cluster.dbid(), info.get("raft_dbid"));
            assertEquals("up", info.get("raft_state"));
            assertEquals(leaderId, info.get("raft_leader_id"));
            assertEquals("3", info.get("raft_num_nodes"));
            assertEquals("3", info.get("raft_num_voting_nodes"));
            assertEquals(n == leader ? "leader" : "follower", info.get("raft_role"));
            long nodeLines = info.keySet().stream().filter(k -> k.matches("raft_node\\d+")).count();
            assertEquals(2, nodeLines, "one raft_node<i> line per other node: " + info);
        }
        String line = leader.info().entrySet().stream().filter(e -> e.getKey().matches("raft_node\\d+"))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        assertTrue(line.matches("id=\\d+,state=connected,voting=yes,addr=127\\.0\\.0\\.1,port=\\d+,.*"), line);
        assertEquals(32, cluster.dbid().length());
    }

    @Test
    void initWithGivenIdAndMembersRefuseSecondInit() {
        RedisNode n = servers.node("--raft.id", "42").start().awaitReady(RaftCluster.READY);
        assertEquals("OK 0123456789abcdef0123456789abcdef", n.call("RAFT.CLUSTER", "INIT", "0123456789abcdef0123456789abcdef"));
        assertEquals("42", n.info("raft_node_id"));
        assertEquals(new ReplyError("ERR Already cluster member"), n.call("RAFT.CLUSTER", "INIT"));
        assertEquals(new ReplyError("ERR Already cluster member"), n.call("RAFT.CLUSTER", "JOIN", "127.0.0.1:1"));
    }

    @Test
    void joinThroughAFollowerIsRedirectedToTheLeader() {
        RaftCluster cluster = servers.cluster(2);
        RedisNode follower = cluster.nodes().stream().filter(n -> n != cluster.awaitLeader()).findFirst().orElseThrow();
        RedisNode joiner = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals("OK", joiner.call("RAFT.CLUSTER", "JOIN", follower.address()));
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "3".equals(cluster.awaitLeader().info("raft_num_voting_nodes")),
                "third voter");
    }

    @Test
    void joinWithNoReachableClusterFailsAfterJoinTimeout() {
        RedisNode n = servers.node("--raft.join-timeout", "1500").start().awaitReady(RaftCluster.READY);
        Object reply = n.call("RAFT.CLUSTER", "JOIN", "127.0.0.1:1");
        assertEquals(new ReplyError("ERR failed to connect to cluster for join, please check logs"), reply);
        assertEquals("uninitialized", n.info("raft_state"));
        // The node can still start a cluster of its own afterwards.
        Object init = n.call("RAFT.CLUSTER", "INIT");
        assertInstanceOf(String.class, init);
    }

    @Test
    void nodeCommandsValidateTheirArguments() {
        RedisNode leader = servers.cluster(1).node(0);
        assertEquals(new ReplyError("ERR invalid node id"), leader.call("RAFT.NODE", "ADD", "x", "127.0.0.1:1"));
        assertEquals(new ReplyError("ERR invalid node address"), leader.call("RAFT.NODE", "ADD", "5", "nowhere"));
        assertEquals(new ReplyError("ERR node id does not exist"), leader.call("RAFT.NODE", "REMOVE", "5"));
        assertEquals(new ReplyError("ERR RAFT.NODE supports ADD / REMOVE only"), leader.call("RAFT.NODE", "LIST"));
        String self = leader.info("raft_node_id");
        assertEquals(new ReplyError("ERR node id has already been used in this cluster"),
                leader.call("RAFT.NODE", "ADD", self, "127.0.0.1:1"));
        assertNotEquals("0", self);
    }
}
