package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.BackgroundCalls;
import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

/** raft.follower-proxy: a client of a follower gets what it would get from the leader. */
class FollowerProxyTest {
    @RegisterExtension
    final Servers servers = new Servers();
    @RegisterExtension
    final BackgroundCalls background = new BackgroundCalls();

    @Test
    void aFollowerRunsWritesReadsTransactionsScriptsAndBlockingCommandsForItsClients() throws Exception {
        RaftCluster cluster = servers.cluster(3, "--raft.follower-proxy", "yes");
        RedisNode leader = cluster.awaitLeader();
        List<RedisNode> followers = cluster.nodes().stream().filter(n -> n != leader).toList();
        RedisNode follower = followers.get(0);
        try (Jedis f = follower.client(); Jedis other = followers.get(1).client()) {
            assertEquals("OK", Commands.call(f, "SET", "k", "v"));
            assertEquals("v", Commands.call(f, "GET", "k"), "its own write, read at once");
            for (int i = 1; i <= 3; i++) assertEquals((long) i, Commands.call(f, "INCR", "n"));
            assertEquals("OK", Commands.call(f, "MULTI"));
            assertEquals("QUEUED", Commands.call(f, "INCR", "n"));
            assertEquals("QUEUED", Commands.call(f, "GET", "k"));
            assertEquals(List.of(4L, "v"), Commands.call(f, "EXEC"));
            assertEquals(5L, Commands.call(f, "EVAL", "return redis.call('INCR', KEYS[1])", "1", "n"));
            assertEquals("5", Commands.call(other, "GET", "n"), "another follower reads it too");

            // A client blocked on a follower is served by a push through another follower.
            Future<Object> popped = background.call(follower, "BLPOP", "queue", "0");
            follower.awaitBlockedClients(1);
            Commands.call(other, "RPUSH", "queue", "job");
            assertEquals(List.of("queue", "job"), popped.get(20, TimeUnit.SECONDS));

            // WATCH works through a follower: a write by anyone in between aborts EXEC.
            assertEquals("OK", Commands.call(f, "WATCH", "k"));
            Commands.call(other, "SET", "k", "changed");
            assertEquals("OK", Commands.call(f, "MULTI"));
            assertEquals("QUEUED", Commands.call(f, "GET", "k"));
            assertNull(Commands.call(f, "EXEC"));

            // Messages reach the leader's subscribers only: PUBLISH is sent there.
            assertEquals(new ReplyError("MOVED 0 " + leader.address()), Commands.call(f, "PUBLISH", "ch", "m"));

            // RESP3 replies stay RESP3.
            Commands.call(f, "HELLO", "3");
            Commands.call(f, "HSET", "h", "a", "1");
            List<?> map = (List<?>) f.sendCommand(Commands.named("HGETALL"), "h");
            assertInstanceOf(KeyValue.class, map.get(0), "a RESP3 map: " + map);
        }
        assertTrue(Long.parseLong(follower.info("raft_proxy_reqs")) >= 6, follower.info("raft_proxy_reqs"));
        assertEquals("0", follower.info("raft_proxy_outstanding_reqs"));
        assertEquals("0", leader.info("raft_proxy_reqs"), "the leader proxies nothing");

        // Turned off at run time, followers answer MOVED again.
        assertEquals("OK", follower.call("CONFIG", "SET", "raft.follower-proxy", "no"));
        assertEquals(new ReplyError("MOVED 0 " + leader.address()), follower.call("SET", "k", "v2"));
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    /** A cluster whose followers proxy with a short timeout, and the follower under test (its first write proxied). */
    private record Proxying(RaftCluster cluster, RedisNode leader, RedisNode follower, RedisNode otherFollower) {}

    private Proxying proxyingCluster() {
        RaftCluster cluster = servers.cluster(3, "--raft.follower-proxy", "yes",
                "--raft.proxy-response-timeout", "1500");
        RedisNode leader = cluster.awaitLeader();
        List<RedisNode> followers = cluster.nodes().stream().filter(n -> n != leader).toList();
        assertEquals("OK", followers.get(0).call("SET", "before", "1"));
        return new Proxying(cluster, leader, followers.get(0), followers.get(1));
    }

    @Test
    void aFollowerThatHearsNothingFromALeaderAnswersTimeout() {
        Proxying p = proxyingCluster();
        RaftCluster cluster = p.cluster();
        RedisNode follower = p.follower();
        // With the leader and the other follower stopped, nothing can be committed.
        p.leader().pause();
        p.otherFollower().pause();
        try {
            long started = System.nanoTime();
            assertEquals(new ReplyError("TIMEOUT no reply from leader"), follower.call("SET", "during", "1"));
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waitedMs >= 1000, "answered after " + waitedMs + " ms");
        } finally {
            p.leader().resume();
            p.otherFollower().resume();
        }
        assertTrue(Long.parseLong(follower.info("raft_proxy_failed_responses")) >= 1);
        cluster.awaitLeader();
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    /**
     * A send that failed for good (the leader and the other follower gone) must not leave the
     * follower unable to proxy: once a leader is back, its clients' writes go through again.
     */
    @Test
    void aFollowerProxiesAgainAfterSendsFailedForGood() {
        Proxying p = proxyingCluster();
        RaftCluster cluster = p.cluster();
        RedisNode leader = p.leader();
        RedisNode follower = p.follower();
        leader.kill();
        p.otherFollower().kill();
        // Refused connections use up the Ratis client's retries within the timeout.
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(ReplyError.class, follower.call("SET", "during", String.valueOf(i)));
        }
        RedisNode.sleep(3000);
        leader.start().awaitReady(RaftCluster.READY);
        p.otherFollower().start().awaitReady(RaftCluster.READY);
        RedisNode newLeader = cluster.awaitLeader();
        if (newLeader == follower) {
            assertEquals("OK", follower.call("RAFT.TRANSFER_LEADER", leader.info("raft_node_id")));
            RaftCluster.awaitTrue(RaftCluster.READY, () -> "follower".equals(follower.info("raft_role")),
                    "the node under test to be a follower again");
        }
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "OK".equals(follower.call("SET", "after", "1")),
                "a write through the follower to succeed");
        assertEquals("1", follower.call("GET", "after"));
        cluster.awaitConverged();
        cluster.assertIdentical();
    }
}
