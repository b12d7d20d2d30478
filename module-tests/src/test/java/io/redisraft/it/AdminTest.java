package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The admin commands answer exactly as RedisRaft's documentation says. */
class AdminTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void transferLeaderRepliesAsRedisRaft() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        assertEquals(new ReplyError("ERR not leader"), follower.call("RAFT.TRANSFER_LEADER"));
        assertEquals(new ReplyError("ERR invalid node id"),
                leader.call("RAFT.TRANSFER_LEADER", leader.info("raft_node_id")));
        assertEquals(new ReplyError("ERR invalid node id"), leader.call("RAFT.TRANSFER_LEADER", "12345"));
        assertEquals(new ReplyError("ERR invalid target node id"), leader.call("RAFT.TRANSFER_LEADER", "x"));

        // A target that cannot take over (paused) makes the transfer time out.
        String targetId = follower.info("raft_node_id");
        follower.pause();
        try {
            assertEquals(new ReplyError("ERR transfer timed out"),
                    leader.callSlow(Duration.ofSeconds(30), "RAFT.TRANSFER_LEADER", targetId));
        } finally {
            follower.resume();
        }
        // The resumed node may still act on the TimeoutNow it was sent while paused and take
        // over: a transfer sent to a node that just lost leadership answers "not leader", and
        // is then sent to the new leader.
        Object reply = null;
        String to = null;
        for (int attempt = 0; attempt < 5 && !"OK".equals(reply); attempt++) {
            RedisNode current = cluster.awaitLeader();
            to = cluster.aFollower().info("raft_node_id");
            reply = current.callSlow(Duration.ofSeconds(30), "RAFT.TRANSFER_LEADER", to);
            if (!"OK".equals(reply)) assertEquals(new ReplyError("ERR not leader"), reply);
        }
        assertEquals("OK", reply);
        String target = to;
        RaftCluster.awaitTrue(RaftCluster.READY, () -> target.equals(cluster.awaitLeader().info("raft_node_id")),
                "the target leads");
    }

    @Test
    void timeoutNowMakesThisNodeStartAnElection() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        long term = Long.parseLong(leader.info("raft_current_term"));
        assertEquals("OK", leader.call("RAFT.TIMEOUT_NOW"), "a leader does nothing");
        assertEquals("OK", follower.call("RAFT.TIMEOUT_NOW"));
        RaftCluster.awaitTrue(RaftCluster.READY, () -> cluster.currentLeader() == follower, "the follower leads");
        assertTrue(Long.parseLong(follower.info("raft_current_term")) > term);
    }

    @Test
    void debugSubcommandsAnswerAsRedisRaft() {
        RaftCluster cluster = servers.cluster(2);
        RedisNode leader = cluster.awaitLeader();
        assertEquals(2L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "get"));
        assertEquals(34L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "keys"));
        assertEquals(66L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "scan"));
        assertEquals(128L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "eval"));
        assertEquals(1040L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "client"));
        assertEquals(512L, leader.call("RAFT.DEBUG", "COMMANDSPEC", "multi"));
        assertEquals(new ReplyError("ERR unknown command"), leader.call("RAFT.DEBUG", "COMMANDSPEC", "set"));
        List<?> ids = (List<?>) leader.call("RAFT.DEBUG", "USED_NODE_IDS");
        for (RedisNode n : cluster.nodes()) assertTrue(ids.contains(Long.parseLong(n.info("raft_node_id"))), n + "");
        String other = cluster.node(1).info("raft_node_id");
        assertEquals("OK", leader.call("RAFT.DEBUG", "NODECFG", other, "+voting -active"));
        assertEquals(new ReplyError("ERR invalid nodecfg option"), leader.call("RAFT.DEBUG", "NODECFG", other, "+x"));
        assertEquals(new ReplyError("ERR node does not exist"), leader.call("RAFT.DEBUG", "NODECFG", "1", "+voting"));
        assertEquals(new ReplyError("ERR invalid debug subcommand"), leader.call("RAFT.DEBUG", "NOSUCH"));
        assertEquals(new ReplyError("invalid node id"), leader.call("RAFT.NODESHUTDOWN", other));
    }

    @Test
    void aNodeTheLeaderRemovedIsToldToShutDown() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode victim = cluster.aFollower();
        // It never hears of its removal through Raft while paused; the leader tells it afterwards.
        String id = victim.info("raft_node_id");
        victim.pause();
        try {
            assertEquals("OK", leader.call("RAFT.NODE", "REMOVE", id));
        } finally {
            victim.resume();
        }
        assertTrue(victim.waitExit(30), "the removed node shut down");
    }

    @Test
    void repeatedJoinsAndAddsOfAMemberSucceed() {
        RaftCluster cluster = servers.cluster(2);
        RedisNode leader = cluster.awaitLeader();
        RedisNode member = cluster.node(1);
        String id = member.info("raft_node_id");
        assertEquals("OK", member.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", leader.address()));
        assertEquals(List.of(Long.parseLong(id), cluster.dbid()),
                leader.call("RAFT.NODE", "ADD", id, member.address()));
        assertEquals("2", leader.info("raft_num_nodes"));
        // A member of another cluster is still refused.
        RaftCluster other = servers.cluster(1);
        assertEquals(new ReplyError("ERR Already cluster member"),
                member.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", other.node(0).address()));
        assertEquals(new ReplyError("ERR Already cluster member"), member.call("RAFT.CLUSTER", "INIT"));
    }

    @Test
    void transactionsCheckMemoryAndWatchAsRedisDoes() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        try (Jedis j = n.client()) {
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals(new ReplyError("ERR WATCH inside MULTI is not allowed"), Commands.call(j, "WATCH", "k"));
            assertEquals("QUEUED", Commands.call(j, "SET", "k", "v"));
            assertEquals(List.of("OK"), Commands.call(j, "EXEC"), "WATCH inside MULTI leaves it open and valid");

            assertEquals("OK", Commands.call(j, "CONFIG", "SET", "maxmemory", "1"));
            assertEquals("OK", Commands.call(j, "MULTI"));
            ReplyError oom = new ReplyError("OOM command not allowed when used memory > 'maxmemory'.");
            assertEquals(oom, Commands.call(j, "SET", "k", "w"));
            assertEquals(oom, Commands.call(j, "GET", "k"), "every command is refused inside MULTI");
            assertEquals(new ReplyError("EXECABORT Transaction discarded because of previous errors."),
                    Commands.call(j, "EXEC"));
            assertEquals(oom, Commands.call(j, "SET", "k", "w"));
            assertEquals("v", Commands.call(j, "GET", "k"), "reads still work outside MULTI");
            assertEquals("OK", Commands.call(j, "CONFIG", "SET", "maxmemory", "0"));
        }
    }

    @Test
    void beforeInitCommandsAnswerNocluster() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        ReplyError noCluster = new ReplyError("NOCLUSTER No Raft Cluster");
        assertEquals(noCluster, n.call("GET", "k"));
        assertEquals(noCluster, n.call("NOSUCHCOMMAND", "x"));
        assertEquals(noCluster, n.call("SPOP", "s"));
        assertEquals("PONG", n.call("PING"));
        assertTrue(String.valueOf(n.call("INFO", "server")).contains("redis_version"));
        try (Jedis j = n.client()) {
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "k", "v"));
            assertEquals(noCluster, Commands.call(j, "EXEC"));
            assertEquals(new ReplyError("ERR EXEC without MULTI"), Commands.call(j, "EXEC"));
        }
    }

    @Test
    void aNewLeaderMakesCommandsWaitUntilItIsReady() throws InterruptedException {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode next = cluster.aFollower();
        // The next leader cannot apply entries: elected, it is not ready (its first entry is not applied).
        assertEquals("OK", next.call("CONFIG", "SET", "raft.log-disable-apply", "yes"));
        assertEquals("OK", leader.callSlow(Duration.ofSeconds(30), "RAFT.TRANSFER_LEADER", next.info("raft_node_id")));
        AtomicReference<Object> reply = new AtomicReference<>();
        AtomicReference<Object> adminReply = new AtomicReference<>();
        Thread writer = new Thread(() -> reply.set(next.call("SET", "waited", "yes")));
        Thread admin = new Thread(() -> adminReply.set(next.call("RAFT.NODE", "REMOVE", "12345")));
        writer.start();
        admin.start();
        RedisNode.sleep(700);
        assertEquals(null, reply.get(), "the write waits for the leader to be ready");
        assertEquals(null, adminReply.get(), "so does an admin command");
        assertEquals("OK", next.call("CONFIG", "SET", "raft.log-disable-apply", "no"));
        writer.join(30_000);
        admin.join(30_000);
        assertEquals("OK", reply.get());
        assertEquals(new ReplyError("ERR node id does not exist"), adminReply.get());
        assertEquals("yes", next.call("GET", "waited"));
    }
}
