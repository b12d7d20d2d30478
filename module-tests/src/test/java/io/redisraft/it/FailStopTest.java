package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node that cannot apply a committed entry stops serving, loudly, instead of diverging. */
class FailStopTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aNodeThatCannotRunACommandOfTheLogStopsServingAndTheOthersGoOn() {
        RaftCluster cluster = servers.cluster(2);
        // A misconfigured node: INCRBY does not exist there.
        RedisNode odd = cluster.addNode("--rename-command", "INCRBY", "");
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            assertTrue(c.call("SET", "before", "1").ok());
            cluster.awaitConverged();
            assertTrue(c.call("INCRBY", "counter", "5").ok());
            RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "failed".equals(odd.info("raft_state")),
                    "the node that cannot apply INCRBY stops");
            assertTrue(odd.log().contains("STOPPED SERVING"), odd.logTail(20));
            Object refused = odd.call("GET", "before");
            assertTrue(refused instanceof ReplyError e && e.message().startsWith("CLUSTERDOWN this node stopped serving"),
                    String.valueOf(refused));
            // The entry was never counted as applied there.
            assertEquals(null, odd.call("RAFT.DEBUG", "EXEC", "GET", "counter"));
            // The two healthy nodes are a majority and go on.
            assertTrue(c.call("SET", "after", "2").ok());
        }
        List<RedisNode> healthy = cluster.nodes().subList(0, 2);
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> healthy.stream().allMatch(
                n -> "5".equals(n.call("RAFT.DEBUG", "EXEC", "GET", "counter"))), "healthy nodes applied INCRBY");
        assertTrue(odd.isRunning(), "redis-server itself keeps running");
    }

    @Test
    void aNodeWhoseJavaHeapIsExhaustedStopsServingInsteadOfHanging() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode follower = cluster.nodes().stream().filter(n -> "follower".equals(n.info("raft_role")))
                .findFirst().orElseThrow();
        try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 5000)) {
            assertTrue(c.call("SET", "before", "1").ok());
            // Holds the follower's whole heap for a few seconds, as a leak would.
            assertEquals("OK", follower.call("RAFT.DEBUG", "OOM"));
            RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> "failed".equals(follower.info("raft_state")),
                    "the follower whose heap ran out stops serving");
            String log = follower.log();
            assertTrue(log.contains("STOPPED SERVING: the Java heap is exhausted")
                    || log.contains("STOPPED SERVING: the JVM ran out of memory"), follower.logTail(20));
            Object refused = follower.call("GET", "before");
            assertTrue(refused instanceof ReplyError e && e.message().startsWith("CLUSTERDOWN this node stopped serving"),
                    String.valueOf(refused));
            // The other two are a majority and go on.
            assertTrue(c.call("SET", "after", "2").ok());
        }
        assertTrue(follower.isRunning(), "redis-server itself keeps running");
    }

    @Test
    void clientsBlockedOnALeaderThatStopsServingAreAnswered() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Object> blocked = pool.submit(() -> leader.call("BLPOP", "queue", "0"));
            leader.awaitBlockedClients(1);
            assertEquals("OK", leader.call("RAFT.DEBUG", "OOM"));
            Object answer = blocked.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(answer instanceof ReplyError e && e.message().startsWith("CLUSTERDOWN"), String.valueOf(answer));
        } finally {
            pool.shutdownNow();
        }
    }
}
