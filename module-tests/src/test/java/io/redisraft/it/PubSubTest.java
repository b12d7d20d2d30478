package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** As in RedisRaft, only the ready leader (the node that publishes) takes subscribers. */
class PubSubTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void followersRedirectSubscribersToTheLeaderWhichDeliversMessages() {
        RedisNode lone = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals(new ReplyError("NOCLUSTER No Raft Cluster"), lone.call("SUBSCRIBE", "news"));

        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        ReplyError moved = new ReplyError("MOVED 0 " + leader.address());
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> moved.equals(follower.call("SUBSCRIBE", "news")),
                "a follower answers SUBSCRIBE with MOVED to the leader");
        assertEquals(moved, follower.call("PSUBSCRIBE", "n*"));
        assertEquals(moved, follower.call("SSUBSCRIBE", "news"));

        try (Jedis subscriber = leader.client()) {
            assertEquals(List.of("subscribe", "news", 1L), Commands.call(subscriber, "SUBSCRIBE", "news"));
            assertEquals(1L, leader.call("PUBLISH", "news", "hello"));
            Object message = Commands.plain(subscriber.getConnection().getUnflushedObject());
            assertEquals(List.of("message", "news", "hello"), message);

            // A leader that hands over disconnects its subscribers (they would get nothing more).
            assertEquals("OK", leader.call("RAFT.TRANSFER_LEADER", follower.info("raft_node_id")));
            JedisConnectionException closed = assertThrows(JedisConnectionException.class,
                    () -> subscriber.getConnection().getUnflushedObject());
            assertFalse(closed.getCause() instanceof java.net.SocketTimeoutException,
                    "closed by the node, not a read timeout: " + closed);
        }
    }
}
