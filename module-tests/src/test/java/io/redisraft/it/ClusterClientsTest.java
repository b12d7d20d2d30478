package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/** Cluster-aware clients see one shard led by the Raft leader and follow its redirects. */
class ClusterClientsTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void clusterCommandsDescribeTheRaftCluster() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        assertTrue(((String) follower.call("INFO")).contains("cluster_enabled:1"));

        List<?> slots = (List<?>) follower.call("CLUSTER", "SLOTS");
        List<?> shard = (List<?>) slots.get(0);
        assertEquals(0L, shard.get(0));
        assertEquals(16383L, shard.get(1));
        assertEquals(5, shard.size(), "range plus one entry per node");
        List<?> first = (List<?>) shard.get(2);
        assertEquals(List.of("127.0.0.1", (long) leader.port()), first.subList(0, 2));
        String nodeId = (String) first.get(2);
        assertEquals(cluster.dbid() + String.format("%08x", Integer.parseInt(leader.info("raft_node_id"))), nodeId);

        String nodes = (String) leader.call("CLUSTER", "NODES");
        assertEquals(3, nodes.split("\n").length, nodes);
        assertTrue(nodes.contains(nodeId + " " + leader.address() + "@" + leader.port() + " myself,master - "), nodes);
        assertEquals(io.redisraft.harness.Commands.ReplyError.class, leader.call("CLUSTER", "INFO").getClass());
    }

    @Test
    void jedisClusterClientWorksAgainstAnyNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode someNode = cluster.node(2);
        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", someNode.port())))) {
            for (int i = 0; i < 50; i++) client.set("key" + i, "value" + i);
            for (int i = 0; i < 50; i++) assertEquals("value" + i, client.get("key" + i));
        }
    }
}
