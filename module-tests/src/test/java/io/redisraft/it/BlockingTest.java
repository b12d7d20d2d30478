package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** Blocking pops wait on the leader and pop through the log, so every node removes the same element. */
class BlockingTest {
    @RegisterExtension
    final Servers servers = new Servers();
    @RegisterExtension
    final BackgroundCalls background = new BackgroundCalls();

    @Test
    void clientsAreServedInTheOrderTheyBlockedAndEveryNodeRemovesTheSameElement() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Future<Object> first = background.call(leader, "BLPOP", "q", "0");
        leader.awaitBlockedClients(1);
        Future<Object> second = background.call(leader, "BRPOP", "other", "q", "0");
        leader.awaitBlockedClients(2);
        assertEquals(1L, leader.call("RPUSH", "q", "a"));
        assertEquals(List.of("q", "a"), first.get(20, TimeUnit.SECONDS));
        assertFalse(second.isDone(), "one element serves one client");
        assertEquals(1L, leader.call("RPUSH", "q", "b"));
        assertEquals(List.of("q", "b"), second.get(20, TimeUnit.SECONDS));

        // Other blocking pops, and a key renamed onto the awaited one.
        Future<Object> move = background.call(leader, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
        Future<Object> zpop = background.call(leader, "BZPOPMAX", "z", "0");
        leader.awaitBlockedClients(2);
        leader.call("RPUSH", "staging", "moved");
        assertEquals("OK", leader.call("RENAME", "staging", "src"));
        assertEquals("moved", move.get(20, TimeUnit.SECONDS));
        leader.call("ZADD", "z", "1", "low", "2", "high");
        assertEquals(List.of("z", "high", "2"), zpop.get(20, TimeUnit.SECONDS));

        cluster.awaitConverged();
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) {
            assertEquals(0L, n.call("RAFT.DEBUG", "EXEC", "EXISTS", "q", "src"), n.toString());
            assertEquals(List.of("moved"), n.call("RAFT.DEBUG", "EXEC", "LRANGE", "dst", "0", "-1"), n.toString());
        }
    }

    @Test
    void timeoutsErrorsTransactionsUnblockAndDisconnectionsBehaveAsInRedis() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        long start = System.nanoTime();
        assertNull(leader.call("BLPOP", "empty", "0.5"));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(450), "waited its timeout");
        assertNull(leader.call("BLMOVE", "empty", "d", "LEFT", "LEFT", "0.2"));
        assertEquals(new ReplyError("ERR timeout is negative"), leader.call("BLPOP", "empty", "-1"));
        assertEquals(new ReplyError("ERR timeout is not a float or out of range"), leader.call("BLPOP", "empty", "x"));
        try (Jedis j = leader.client()) {
            Commands.call(j, "MULTI");
            Commands.call(j, "BLPOP", "empty", "0");
            assertEquals(java.util.Collections.singletonList(null), Commands.call(j, "EXEC"),
                    "inside MULTI a blocking pop does not block");
        }

        Future<Object> unblocked = background.call(leader, "BLPOP", "u", "0");
        leader.awaitBlockedClients(1);
        String id = blockedClientId(leader);
        assertEquals(1L, leader.call("CLIENT", "UNBLOCK", id, "ERROR"));
        assertEquals(new ReplyError("UNBLOCKED client unblocked via CLIENT UNBLOCK"), unblocked.get(20, TimeUnit.SECONDS));
        Future<Object> timedOut = background.call(leader, "BLPOP", "u", "0");
        leader.awaitBlockedClients(1);
        assertEquals(1L, leader.call("CLIENT", "UNBLOCK", blockedClientId(leader)));
        assertNull(timedOut.get(20, TimeUnit.SECONDS));
        assertEquals(0L, leader.call("CLIENT", "UNBLOCK", "999999"));

        // A client that disconnects while blocked is forgotten: nothing is popped for it.
        Jedis leaving = leader.client();
        background.run(() -> Commands.call(leaving, "BLPOP", "left", "0"));
        leader.awaitBlockedClients(1);
        leaving.getConnection().disconnect();
        leader.awaitBlockedClients(0);
        leader.call("RPUSH", "left", "kept");
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) {
            assertEquals(List.of("kept"), n.call("RAFT.DEBUG", "EXEC", "LRANGE", "left", "0", "-1"), n.toString());
        }
    }

    @Test
    void clientsWokenByAWriteAreServedBeforeTheNextCommand() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client(); Jedis watcher = leader.client()) {
            // A chain: the first woken client's move wakes the second, all before the pusher's next read.
            Future<Object> first = background.call(leader, "BLMOVE", "l1", "l2", "RIGHT", "LEFT", "0");
            leader.awaitBlockedClients(1);
            Future<Object> second = background.call(leader, "BLMOVE", "l2", "l3", "LEFT", "RIGHT", "0");
            leader.awaitBlockedClients(2);
            Commands.call(j, "RPUSH", "l1", "foo");
            assertEquals(List.of(), Commands.call(j, "LRANGE", "l1", "0", "-1"));
            assertEquals(List.of(), Commands.call(j, "LRANGE", "l2", "0", "-1"));
            assertEquals(List.of("foo"), Commands.call(j, "LRANGE", "l3", "0", "-1"));
            assertEquals("foo", first.get(20, TimeUnit.SECONDS));
            assertEquals("foo", second.get(20, TimeUnit.SECONDS));

            // A transaction of reads watching where the woken client pushes aborts: the push came first.
            Commands.call(j, "SET", "somekey", "somevalue");
            Future<Object> mover = background.call(leader, "BRPOPLPUSH", "src", "dst", "0");
            leader.awaitBlockedClients(1);
            assertEquals("OK", Commands.call(watcher, "WATCH", "dst"));
            assertEquals("OK", Commands.call(watcher, "MULTI"));
            assertEquals("QUEUED", Commands.call(watcher, "GET", "somekey"));
            Commands.call(j, "LPUSH", "src", "element");
            assertNull(Commands.call(watcher, "EXEC"));
            assertEquals("element", mover.get(20, TimeUnit.SECONDS));
        }
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    @Test
    void compactionAndAFollowerRestartChangeNothingForABlockedClient() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Future<Object> waiting = background.call(leader, "BRPOP", "jobs", "0");
        leader.awaitBlockedClients(1);
        cluster.compactEverywhere();
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        assertFalse(waiting.isDone(), "still blocked");
        leader.call("LPUSH", "jobs", "j1");
        assertEquals(List.of("jobs", "j1"), waiting.get(20, TimeUnit.SECONDS));
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    @Test
    void aLeaderThatLosesItsPlaceDisconnectsItsBlockedClients() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Future<Object> waiting = background.call(leader, "BLPOP", "job", "0");
        leader.awaitBlockedClients(1);
        RedisNode next = cluster.aFollower();
        assertEquals("OK", leader.call("RAFT.TRANSFER_LEADER", next.info("raft_node_id")));
        Object outcome;
        try {
            outcome = waiting.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            outcome = e.getCause();
        }
        assertTrue(outcome instanceof ReplyError || outcome instanceof Exception,
                "the blocked client is answered with an error or disconnected, not left hanging: " + outcome);
        // Nothing was popped for it: a new leader's client gets the job.
        RedisNode newLeader = cluster.awaitLeader();
        newLeader.call("RPUSH", "job", "j1");
        assertEquals(List.of("job", "j1"), newLeader.call("BLPOP", "job", "5"));
    }

    private static String blockedClientId(RedisNode leader) {
        for (String line : String.valueOf(leader.call("CLIENT", "LIST")).split("\n")) {
            if (line.contains("flags=b")) return line.replaceAll(".*\\bid=(\\d+).*", "$1").trim();
        }
        throw new AssertionError("no blocked client");
    }
}
