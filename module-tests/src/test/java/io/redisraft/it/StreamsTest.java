package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.BackgroundCalls;
import io.redisraft.harness.Commands;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Streams and consumer groups hold the same entries, ids and pending lists on every node. */
class StreamsTest {
    @RegisterExtension
    final Servers servers = new Servers();
    @RegisterExtension
    final BackgroundCalls background = new BackgroundCalls();

    @Test
    void entriesGroupsAndClaimsAreIdenticalOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            String first = (String) Commands.call(j, "XADD", "s", "*", "n", "1");
            String second = (String) Commands.call(j, "XADD", "s", "MAXLEN", "~", "100", "*", "n", "2");
            assertTrue(first.compareTo(second) < 0 || first.length() < second.length(), first + " < " + second);
            assertEquals("9999999999999-1", Commands.call(j, "XADD", "s", "9999999999999-1", "n", "3"));
            // Once the last id is ahead of every clock, "*" continues from it, as in Redis.
            assertEquals("9999999999999-2", Commands.call(j, "XADD", "s", "*", "n", "4"));
            assertEquals("9999999999999-3", Commands.call(j, "EVAL",
                    "return redis.call('XADD', KEYS[1], '*', 'n', '5')", "1", "s"));
            assertEquals(5L, Commands.call(j, "XLEN", "s"));
            assertEquals("OK", Commands.call(j, "XGROUP", "CREATE", "s", "workers", "0"));
            List<?> read = assertInstanceOf(List.class,
                    Commands.call(j, "XREADGROUP", "GROUP", "workers", "alice", "COUNT", "3", "STREAMS", "s", ">"));
            assertEquals(1, read.size());
            assertEquals(1L, Commands.call(j, "XACK", "s", "workers", first));
            List<?> claimed = assertInstanceOf(List.class,
                    Commands.call(j, "XCLAIM", "s", "workers", "bob", "0", second, "JUSTID"));
            assertEquals(List.of(second), claimed);
            assertEquals(List.of(), Commands.call(j, "XCLAIM", "s", "workers", "bob", "60000", second),
                    "not idle for a minute yet");
            assertEquals(null, Commands.call(j, "XREAD", "BLOCK", "100", "STREAMS", "s", "$"), "timed out");
            assertEquals(1L, Commands.call(j, "XDEL", "s", "9999999999999-1"));
            assertEquals(1L, Commands.call(j, "XTRIM", "s", "MAXLEN", "3"));
        }
        cluster.awaitConverged();
        cluster.assertIdentical();
        Object expected = leader.call("RAFT.DEBUG", "EXEC", "XPENDING", "s", "workers", "-", "+", "10");
        for (RedisNode n : cluster.nodes()) {
            assertEquals(leader.call("RAFT.DEBUG", "EXEC", "XRANGE", "s", "-", "+"),
                    n.call("RAFT.DEBUG", "EXEC", "XRANGE", "s", "-", "+"), n.toString());
            // Ids, consumers and delivery counts (idle times are each node's own).
            assertEquals(withoutIdle(expected), withoutIdle(n.call("RAFT.DEBUG", "EXEC", "XPENDING", "s", "workers",
                    "-", "+", "10")), n.toString());
        }
        // A follower restarted from its log and snapshot holds the same stream.
        cluster.compactEverywhere();
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    @Test
    void deliveryTimesAndClaimsByIdleTimeAreTheSameOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            assertEquals("OK", Commands.call(j, "XGROUP", "CREATE", "jobs", "g", "$", "MKSTREAM"));
            for (String id : List.of("1-1", "2-1", "3-1")) Commands.call(j, "XADD", "jobs", id, "n", id);
            Commands.call(j, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "jobs", ">");
            RedisNode.sleep(400);
            assertEquals(List.of("1-1"), Commands.call(j, "XCLAIM", "jobs", "g", "bob", "300", "1-1", "JUSTID"));
            assertEquals(List.of(), Commands.call(j, "XCLAIM", "jobs", "g", "bob", "100000", "2-1", "JUSTID"));
            assertEquals(List.of("0-0", List.of("2-1", "3-1"), List.of()),
                    Commands.call(j, "XAUTOCLAIM", "jobs", "g", "carol", "300", "0-0", "JUSTID"));
            assertEquals(List.of("3-1"), Commands.call(j, "XCLAIM", "jobs", "g", "dave", "0", "3-1", "IDLE", "5000",
                    "JUSTID"));
            List<?> pending = (List<?>) Commands.call(j, "XPENDING", "jobs", "g", "3-1", "3-1", "1");
            long idle = (Long) ((List<?>) pending.get(0)).get(2);
            assertTrue(idle >= 5000 && idle < 60000, "IDLE 5000 counts back from the entry's time: " + idle);
        }
        // A follower that replays the log seconds later reaches the same pending lists.
        RedisNode follower = cluster.aFollower();
        follower.kill();
        RedisNode.sleep(1000);
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        Object expected = pendingEntries(leader, "jobs");
        assertEquals(3, ((List<?>) expected).size(), expected.toString());
        for (RedisNode n : cluster.nodes()) {
            assertEquals(expected, pendingEntries(n, "jobs"), n + ": ids, consumers, delivery times and counts");
        }
    }

    @Test
    void aBlockedGroupReaderIsToldWhenItsStreamOrGroupGoesAway() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        for (String[] removal : List.of(new String[] {"DEL", "s"}, new String[] {"SET", "s", "v"},
                new String[] {"FLUSHALL"}, new String[] {"XGROUP", "DESTROY", "s", "g"})) {
            leader.call("DEL", "s");
            leader.call("XADD", "s", "1-1", "f", "v");
            assertEquals("OK", leader.call("XGROUP", "CREATE", "s", "g", "$"));
            Future<Object> reader = background.call(leader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                    "STREAMS", "s", ">");
            leader.awaitBlockedClients(1);
            leader.call(removal);
            String expected = removal[0].equals("XGROUP")
                    ? "NOGROUP the consumer group this client was blocked on no longer exists"
                    : "UNBLOCKED the stream key no longer exists";
            assertEquals(new io.redisraft.harness.Commands.ReplyError(expected), reader.get(20, TimeUnit.SECONDS),
                    String.join(" ", removal));
        }
    }

    /** The node's own pending entries of every group: id, consumer, delivery time (absolute), delivery count. */
    private static Object pendingEntries(RedisNode n, String stream) {
        List<?> info = (List<?>) n.call("RAFT.DEBUG", "EXEC", "XINFO", "STREAM", stream, "FULL");
        List<Object> entries = new java.util.ArrayList<>();
        for (Object group : (List<?>) field(info, "groups")) entries.add(field((List<?>) group, "pending"));
        return entries.size() == 1 ? entries.get(0) : entries;
    }

    private static Object field(List<?> flatMap, String name) {
        for (int i = 0; i + 1 < flatMap.size(); i += 2) {
            if (name.equals(flatMap.get(i))) return flatMap.get(i + 1);
        }
        throw new AssertionError("no " + name + " in " + flatMap);
    }

    @Test
    void blockedReadersGetTheNextEntry() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        leader.call("XADD", "events", "1-1", "old", "x");
        assertEquals("OK", leader.call("XGROUP", "CREATE", "events", "g", "$"));
        Future<Object> reader = background.call(leader, "XREAD", "BLOCK", "0", "STREAMS", "events", "$");
        Future<Object> consumer = background.call(leader, "XREADGROUP", "GROUP", "g", "worker", "BLOCK", "0",
                "STREAMS", "events", ">");
        leader.awaitBlockedClients(2);
        assertEquals("2-1", leader.call("XADD", "events", "2-1", "new", "y"));
        List<?> expected = List.of(List.of("events", List.of(List.of("2-1", List.of("new", "y")))));
        assertEquals(expected, reader.get(20, TimeUnit.SECONDS));
        assertEquals(expected, consumer.get(20, TimeUnit.SECONDS));
        cluster.awaitConverged();
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) {
            List<?> pending = (List<?>) n.call("RAFT.DEBUG", "EXEC", "XPENDING", "events", "g");
            assertEquals(1L, pending.get(0), n + " has the delivered entry pending");
        }
    }

    private static Object withoutIdle(Object pending) {
        return ((List<?>) pending).stream().map(e -> {
            List<?> entry = (List<?>) e;
            return List.of(entry.get(0), entry.get(1), entry.get(3));
        }).toList();
    }
}
