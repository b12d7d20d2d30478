package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Datasets;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Nodes come back after SIGKILL or shutdown with every committed write, without operator action. */
class RecoveryTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static void write(RaftCluster cluster, String prefix, int count) {
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            for (int i = 0; i < count; i++) {
                ClusterClient.Outcome o = c.call("SET", prefix + i, "value-" + i);
                assertTrue(o.ok(), "SET " + prefix + i + ": " + o.value());
            }
        }
    }

    @Test
    void killedFollowerCatchesUpAfterRestart() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        write(cluster, "before:", 200);
        follower.kill();
        write(cluster, "during:", 500);
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        Map<String, String> data = Datasets.of(follower);
        assertEquals(700, data.size());
        Datasets.assertSame(Datasets.of(cluster.awaitLeader()), data, "restarted follower");
        assertEquals("follower", follower.info("raft_role"));
    }

    @Test
    void fullClusterRestartAfterSigkillLosesNothing() {
        RaftCluster cluster = servers.cluster(3);
        write(cluster, "k", 300);
        for (RedisNode n : cluster.nodes()) n.kill();
        for (RedisNode n : cluster.nodes()) n.start();
        for (RedisNode n : cluster.nodes()) n.awaitReady(RaftCluster.READY);
        RedisNode leader = cluster.awaitLeader();
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            for (int i = 0; i < 300; i += 37) assertEquals("value-" + i, c.call("GET", "k" + i).value());
        }
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) assertEquals(300, Datasets.of(n).size(), n.toString());
        Datasets.assertSame(Datasets.of(leader), Datasets.of(cluster.node(0)), "dataset");
    }

    @Test
    void gracefulShutdownAndRestartOfEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        write(cluster, "k", 100);
        for (RedisNode n : cluster.nodes()) assertEquals(0, n.terminate());
        for (RedisNode n : cluster.nodes()) n.start();
        for (RedisNode n : cluster.nodes()) n.awaitReady(RaftCluster.READY);
        cluster.awaitLeader();
        write(cluster, "after", 10);
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) assertEquals(110, Datasets.of(n).size(), n.toString());
    }
}
