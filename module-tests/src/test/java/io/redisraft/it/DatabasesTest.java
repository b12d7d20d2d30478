package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** SELECT and the commands between databases: every node stores each key in the database its client chose. */
class DatabasesTest {
    @RegisterExtension
    final Servers servers = new Servers();

    /** The value of key in database db on node n, read on that node alone. */
    private static Object localGet(RedisNode n, int db, String key) {
        try (Jedis j = n.client()) {
            Commands.call(j, "SELECT", Integer.toString(db));
            return Commands.call(j, "RAFT.DEBUG", "EXEC", "GET", key);
        }
    }

    private static void assertEverywhere(RaftCluster cluster, int db, String key, String expected) {
        for (RedisNode n : cluster.running()) assertEquals(expected, localGet(n, db, key), n + " db" + db + " " + key);
    }

    @Test
    void writesGoToTheSelectedDatabaseOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            assertEquals("OK", Commands.call(j, "SET", "k", "zero"));
            assertEquals("OK", Commands.call(j, "SELECT", "1"));
            assertEquals("OK", Commands.call(j, "SET", "k", "one"));
            assertEquals("one", Commands.call(j, "GET", "k"));
            // A transaction and a script run in the selected database too.
            Commands.call(j, "MULTI");
            Commands.call(j, "SET", "tx", "1");
            Commands.call(j, "INCR", "tx");
            assertEquals(List.of("OK", 2L), Commands.call(j, "EXEC"));
            assertEquals("scripted", Commands.call(j, "EVAL",
                    "redis.call('SET', KEYS[1], 'scripted'); return redis.call('GET', KEYS[1])", "1", "s"));
            assertEquals(1L, Commands.call(j, "MOVE", "k", "2"));
            assertEquals(1L, Commands.call(j, "COPY", "tx", "tx", "DB", "3"));
            assertEquals("OK", Commands.call(j, "SELECT", "4"));
            assertEquals("OK", Commands.call(j, "SET", "gone", "x"));
            assertEquals("OK", Commands.call(j, "FLUSHDB"));
            assertEquals("OK", Commands.call(j, "SWAPDB", "0", "5"));
            assertEquals(new ReplyError("ERR DB index is out of range"), Commands.call(j, "SELECT", "16"));
            assertEquals(new ReplyError("ERR invalid DB index"), Commands.call(j, "SELECT", "x"));
            // SELECT inside MULTI: the commands after it run in that database, and the
            // connection keeps it after EXEC, as in Redis.
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "in", "four"));
            assertEquals("QUEUED", Commands.call(j, "SELECT", "6"));
            assertEquals("QUEUED", Commands.call(j, "SET", "in", "six"));
            assertEquals("QUEUED", Commands.call(j, "SELECT", "99"));
            assertEquals(List.of("OK", "OK", "OK", new ReplyError("ERR DB index is out of range")),
                    Commands.call(j, "EXEC"));
            assertEquals("six", Commands.call(j, "GET", "in"), "the connection is in database 6 now");
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SELECT", "4"));
            assertEquals("QUEUED", Commands.call(j, "GET", "in"));
            assertEquals(List.of("OK", "four"), Commands.call(j, "EXEC"), "a transaction of reads");
            assertEquals("four", Commands.call(j, "GET", "in"));
        }
        cluster.awaitConverged();
        cluster.assertIdentical();
        assertEverywhere(cluster, 0, "k", null);
        assertEverywhere(cluster, 5, "k", "zero");
        assertEverywhere(cluster, 1, "k", null);
        assertEverywhere(cluster, 2, "k", "one");
        assertEverywhere(cluster, 1, "tx", "2");
        assertEverywhere(cluster, 3, "tx", "2");
        assertEverywhere(cluster, 1, "s", "scripted");
        assertEverywhere(cluster, 4, "gone", null);
        assertEverywhere(cluster, 4, "in", "four");
        assertEverywhere(cluster, 6, "in", "six");
    }

    @Test
    void keysExpireInEveryDatabaseAndSnapshotsCarryThemAll() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            Commands.call(j, "SELECT", "9");
            assertEquals("OK", Commands.call(j, "SET", "brief", "x", "PX", "300"));
            assertEquals("OK", Commands.call(j, "SET", "kept", "y"));
            Commands.call(j, "SELECT", "3");
            assertEquals("OK", Commands.call(j, "SET", "kept", "z"));
        }
        // Nobody reads "brief" again: the leader's sweep of database 9 removes it everywhere.
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> cluster.running().stream()
                .allMatch(n -> localGet(n, 9, "brief") == null), "the key past its deadline is gone from database 9");
        cluster.compactEverywhere();
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        assertEquals("y", localGet(follower, 9, "kept"));
        assertEquals("z", localGet(follower, 3, "kept"));
        assertNull(localGet(follower, 0, "kept"));
        cluster.assertIdentical();
    }
}
