package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Key expiry is decided by the log: deadlines are absolute and identical on every node,
 * whether an entry is applied live, replayed after a restart or arrives in a snapshot,
 * and keys expire at the same point of the log everywhere.
 */
class ExpiryTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static long deadline(RedisNode n, String key) {
        return (Long) n.call("RAFT.DEBUG", "EXEC", "PEXPIRETIME", key);
    }

    private static String stat(RedisNode n, String field) {
        for (String line : ((String) n.call("INFO", "stats")).split("\r?\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError(field + " missing from INFO stats");
    }

    @Test
    void deadlineChecksLeaveKeyspaceStatisticsAlone() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        String hits = stat(follower, "keyspace_hits");
        String misses = stat(follower, "keyspace_misses");
        for (int i = 0; i < 20; i++) {
            assertEquals("OK", leader.call("SET", "k" + i, "v", "EX", "100"));
            assertEquals(1L, leader.call("INCR", "n" + i));
        }
        cluster.awaitConverged();
        // Applying writes looks up no key as a read, as in Redis: no hit, no miss, no "keymiss" event.
        assertEquals(hits, stat(follower, "keyspace_hits"));
        assertEquals(misses, stat(follower, "keyspace_misses"));
    }

    @Test
    void relativeDeadlinesAreAbsoluteAndIdenticalOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        long before = System.currentTimeMillis();
        try (Jedis j = leader.client()) {
            for (String[] c : new String[][] {
                    {"SET", "ex", "v", "EX", "100"}, {"SET", "px", "v", "PX", "100000"}, {"SETEX", "setex", "100", "v"},
                    {"PSETEX", "psetex", "100000", "v"}, {"SET", "expire", "v"}, {"EXPIRE", "expire", "100"},
                    {"SET", "getex", "v"}, {"GETEX", "getex", "EX", "100"}, {"SET", "exat", "v", "EXAT", "4000000000"},
                    {"SET", "pexpireat", "v"}, {"PEXPIREAT", "pexpireat", "4000000000123"}}) {
                Object reply = Commands.call(j, c);
                assertTrue(!(reply instanceof Commands.ReplyError), String.join(" ", c) + " -> " + reply);
            }
            Commands.call(j, "EVAL", "redis.call('SET', KEYS[1], 'v', 'EX', 100); return redis.call('TTL', KEYS[1])",
                    "1", "script");
            long ttl = (Long) Commands.call(j, "TTL", "ex");
            assertTrue(ttl >= 99 && ttl <= 100, "TTL " + ttl);
            long pttl = (Long) Commands.call(j, "PTTL", "px");
            assertTrue(pttl > 90_000 && pttl <= 100_000, "PTTL " + pttl);
            assertEquals(4_000_000_000L, Commands.call(j, "EXPIRETIME", "exat"));
            assertEquals(4_000_000_000_123L, Commands.call(j, "PEXPIRETIME", "pexpireat"));
            assertEquals(-2L, Commands.call(j, "TTL", "nonexistent"));
        }
        long after = System.currentTimeMillis();
        cluster.assertIdentical();
        for (String key : List.of("ex", "px", "setex", "psetex", "expire", "getex", "script")) {
            long d = deadline(leader, key);
            assertTrue(d >= before + 100_000 && d <= after + 100_000, key + " expires at " + d);
            for (RedisNode n : cluster.nodes()) assertEquals(d, deadline(n, key), key + " on " + n);
        }
    }

    @Test
    void expireThenSetNxThenRestartAFollowerKeepsTheNodesIdentical() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            assertEquals("OK", Commands.call(j, "SET", "lock", "first", "PX", "1500"));
            // Still alive: NX fails everywhere, now and when the log is replayed later.
            assertNull(Commands.call(j, "SET", "lock", "second", "NX"));
            assertEquals("OK", Commands.call(j, "SET", "gone", "x", "PX", "300"));
            RedisNode.sleep(600);
            // Past its deadline: NX succeeds everywhere.
            assertEquals("OK", Commands.call(j, "SET", "gone", "back", "NX"));
        }
        RedisNode follower = cluster.aFollower();
        follower.kill();
        RedisNode.sleep(2000); // every deadline above has passed when the follower replays its log
        follower.start().awaitReady(RaftCluster.READY);
        cluster.assertIdentical();
        assertEquals("back", follower.call("RAFT.DEBUG", "EXEC", "GET", "gone"));
        assertEquals("back", leader.call("GET", "gone"));
        assertNull(leader.call("GET", "lock"));
    }

    @Test
    void keysPastTheirDeadlineAreGoneForReadsWritesAndListings() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            // Deadlines long enough for three commits on a busy machine.
            Commands.call(j, "SET", "short", "v", "PX", "2000");
            Commands.call(j, "SET", "counter", "5", "PX", "2000");
            Commands.call(j, "SET", "long", "v", "EX", "1000");
            assertEquals("v", Commands.call(j, "GET", "short"));
            RedisNode.sleep(2500);
            assertNull(Commands.call(j, "GET", "short"));
            assertEquals(0L, Commands.call(j, "EXISTS", "short"));
            assertEquals(-2L, Commands.call(j, "TTL", "short"));
            assertEquals(1L, Commands.call(j, "INCR", "counter")); // a new key, not 6
            assertEquals(List.of("counter", "long"), sorted(Commands.call(j, "KEYS", "*")));
            List<?> scan = (List<?>) Commands.call(j, "SCAN", "0", "COUNT", "100");
            assertEquals(Set.of("long", "counter"), new HashSet<>((List<?>) scan.get(1)));
        }
        // Nobody touches an expired key again: the leader's sweep deletes it on every node.
        try (Jedis j = leader.client()) {
            Commands.call(j, "SET", "untouched", "v", "PX", "100");
        }
        RaftCluster.awaitTrue(RaftCluster.CONVERGE, () -> cluster.nodes().stream().allMatch(
                n -> Long.valueOf(2).equals(n.call("RAFT.DEBUG", "EXEC", "DBSIZE"))), "expired keys swept everywhere");
        cluster.assertIdentical();
    }

    @Test
    void aDeadlineInThePastDeletesTheKeyAtOnceOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            Commands.call(j, "SET", "k", "v");
            assertEquals(1L, Commands.call(j, "EXPIRE", "k", "-1"));
            assertEquals(0L, Commands.call(j, "DBSIZE"));
            Commands.call(j, "SET", "k2", "v");
            assertEquals(1L, Commands.call(j, "PEXPIREAT", "k2", "1000"));
            assertEquals(0L, Commands.call(j, "EXISTS", "k2"));
        }
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) assertEquals(0L, n.call("RAFT.DEBUG", "EXEC", "DBSIZE"), n.toString());
    }

    @Test
    void aNodeJoiningThroughASnapshotGetsTheSameDeadlines() {
        RaftCluster cluster = servers.cluster(2);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            for (int i = 0; i < 100; i++) Commands.call(j, "SET", "k" + i, "v", "EX", Integer.toString(100 + i));
            Commands.call(j, "SET", "soon", "v", "PX", "300");
        }
        assertEquals("OK", leader.call("RAFT.DEBUG", "COMPACT"));
        RedisNode.sleep(600); // "soon" is past its deadline when the snapshot is loaded
        RedisNode late = cluster.addNode();
        assertTrue(Long.parseLong(late.info("raft_snapshots_received")) >= 1, "joined through a snapshot");
        cluster.assertIdentical();
        for (int i = 0; i < 100; i += 10) assertEquals(deadline(leader, "k" + i), deadline(late, "k" + i));
    }

    private static List<String> sorted(Object reply) {
        return ((List<?>) reply).stream().map(String::valueOf).sorted().toList();
    }
}
