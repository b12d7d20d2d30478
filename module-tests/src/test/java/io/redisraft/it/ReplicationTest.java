package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.Datasets;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

/** Commands go through the log and leave identical datasets on every node, with Redis's own replies. */
class ReplicationTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void everyDataTypeIsReplicatedIdentically() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            String[][] writes = {
                {"SET", "string", "value"}, {"APPEND", "string", "-more"}, {"INCRBY", "counter", "41"},
                {"INCR", "counter"}, {"INCRBYFLOAT", "float", "2.5"}, {"SETRANGE", "string", "0", "V"},
                {"RPUSH", "list", "a", "b", "c"}, {"LPUSH", "list", "z"}, {"LPOP", "list"}, {"LSET", "list", "0", "A"},
                {"SADD", "set", "x", "y", "z"}, {"SREM", "set", "y"}, {"SMOVE", "set", "set2", "z"},
                {"ZADD", "zset", "1", "one", "2", "two", "3", "three"}, {"ZINCRBY", "zset", "10", "one"},
                {"ZREM", "zset", "two"}, {"HSET", "hash", "f1", "v1", "f2", "v2"}, {"HINCRBY", "hash", "n", "5"},
                {"HDEL", "hash", "f2"}, {"PFADD", "hll", "a", "b", "c"}, {"SETBIT", "bits", "7", "1"},
                {"GEOADD", "geo", "13.361389", "38.115556", "Palermo"}, {"SET", "ttl1", "x", "EX", "1000"},
                {"SET", "ttl2", "x"}, {"EXPIRE", "ttl2", "1000"}, {"SET", "ttl3", "x", "PX", "900000"},
                {"PEXPIREAT", "ttl3", "4102444800000"}, {"SET", "gone", "x", "PX", "1"}, {"SET", "persist", "x", "EX", "9"},
                {"PERSIST", "persist"}, {"RENAME", "ttl2", "renamed"}, {"COPY", "string", "copy"},
                {"LMOVE", "list", "list2", "LEFT", "RIGHT"}, {"SINTERSTORE", "inter", "set", "set2"},
                {"ZUNIONSTORE", "zu", "1", "zset"}, {"SET", "deleted", "x"}, {"DEL", "deleted"},
                {"MSET", "m1", "1", "m2", "2"}, {"GETDEL", "m2"}, {"SETNX", "m1", "no"},
                {"EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", "2", "lua", "luacount", "v"},
                {"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('myset', function(k, a) return redis.call('SET', k[1], a[1]) end)"},
                {"FCALL", "myset", "1", "fn", "from-function"},
            };
            for (String[] w : writes) {
                Object reply = Commands.call(j, w);
                assertTrue(!(reply instanceof ReplyError), String.join(" ", w) + " -> " + reply);
            }
            assertEquals(42L, Commands.call(j, "GET", "counter") instanceof String s ? Long.parseLong(s) : -1L);
            assertEquals(new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"),
                    Commands.call(j, "LPUSH", "hash", "x"));
            assertEquals("from-function", Commands.call(j, "GET", "fn"));
        }
        cluster.awaitConverged();
        Map<String, String> expected = Datasets.of(leader);
        assertTrue(expected.containsKey("renamed") && expected.containsKey("lua") && !expected.containsKey("deleted"));
        for (RedisNode n : cluster.nodes()) Datasets.assertSame(expected, Datasets.of(n), "dataset of " + n);
    }

    @Test
    void concurrentWritesShareLogEntriesAndEachClientGetsItsOwnReply() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        int clients = 16;
        int perClient = 300;
        long before = Long.parseLong(leader.info("raft_current_index"));
        List<Thread> writers = new ArrayList<>();
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < clients; c++) {
            String key = "counter" + c;
            Thread t = new Thread(() -> {
                try (Jedis j = leader.client()) {
                    for (long i = 1; i <= perClient; i++) {
                        long got = j.incr(key);
                        if (got != i) problems.add(key + " answered " + got + " for increment " + i);
                    }
                }
            });
            writers.add(t);
            t.start();
        }
        for (Thread t : writers) t.join();
        assertTrue(problems.isEmpty(), "replies: " + problems);
        long entries = Long.parseLong(leader.info("raft_current_index")) - before;
        // One entry per write would be clients * perClient entries.
        assertTrue(entries * 2 < (long) clients * perClient,
                entries + " log entries for " + clients * perClient + " concurrent writes");
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) {
            try (Jedis j = n.client()) {
                for (int c = 0; c < clients; c++) {
                    assertEquals(String.valueOf(perClient), Commands.call(j, "RAFT.DEBUG", "EXEC", "GET", "counter" + c));
                }
            }
        }
    }

    @Test
    void followersRedirectToTheLeader() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        for (RedisNode n : cluster.nodes()) {
            if (n == leader) continue;
            assertEquals(new ReplyError("MOVED 0 " + leader.address()), n.call("SET", "k", "v"));
            assertEquals(new ReplyError("MOVED 0 " + leader.address()), n.call("GET", "k"));
            // Local commands still work on followers.
            assertEquals("PONG", n.call("PING"));
        }
    }

    @Test
    void transactionsAreOneEntryWithRedisSemantics() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "a", "1"));
            assertEquals("QUEUED", Commands.call(j, "INCR", "a"));
            assertEquals("QUEUED", Commands.call(j, "LPUSH", "a", "x"));
            assertEquals("QUEUED", Commands.call(j, "GET", "a"));
            List<?> result = (List<?>) Commands.call(j, "EXEC");
            assertEquals("OK", result.get(0));
            assertEquals(2L, result.get(1));
            assertInstanceOf(ReplyError.class, result.get(2));
            assertEquals("2", result.get(3));

            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "b", "1"));
            assertEquals("OK", Commands.call(j, "DISCARD"));
            assertEquals(null, Commands.call(j, "GET", "b"));

            // PING and ECHO are queued as in Redis where the command filter names the client
            // (Redis 7.2+); Redis 7.0's does not, so there they run at once (as with RedisRaft).
            assertEquals("OK", Commands.call(j, "MULTI"));
            if (leader.redisAtLeast(7, 2)) {
                assertEquals("QUEUED", Commands.call(j, "PING"));
                assertEquals("QUEUED", Commands.call(j, "SET", "p", "1"));
                assertEquals("QUEUED", Commands.call(j, "ECHO", "e"));
                assertEquals(List.of("PONG", "OK", "e"), Commands.call(j, "EXEC"));
                assertEquals("OK", Commands.call(j, "MULTI"));
                assertEquals("QUEUED", Commands.call(j, "PING", "abc"));
                assertEquals("QUEUED", Commands.call(j, "GET", "p"));
                assertEquals(List.of("abc", "1"), Commands.call(j, "EXEC"));
            } else {
                assertEquals("PONG", Commands.call(j, "PING"));
                assertEquals("QUEUED", Commands.call(j, "SET", "p", "1"));
                assertEquals(List.of("OK"), Commands.call(j, "EXEC"));
            }
            assertEquals("PONG", Commands.call(j, "PING"), "outside a transaction PING runs at once");
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("OK", Commands.call(j, "DISCARD"));
            assertEquals("PONG", Commands.call(j, "PING"), "after DISCARD PING runs at once");

            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals(new ReplyError("ERR MULTI calls can not be nested"), Commands.call(j, "MULTI"));
            assertEquals(new ReplyError("ERR wrong number of arguments for 'set' command"), Commands.call(j, "SET", "c"));
            assertEquals("QUEUED", Commands.call(j, "SET", "c", "1"));
            assertEquals(new ReplyError("EXECABORT Transaction discarded because of previous errors."),
                    Commands.call(j, "EXEC"));
            assertEquals(null, Commands.call(j, "GET", "c"));
            assertEquals(new ReplyError("ERR EXEC without MULTI"), Commands.call(j, "EXEC"));
            assertEquals(new ReplyError("ERR DISCARD without MULTI"), Commands.call(j, "DISCARD"));

            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "left-open", "1"));
        }
        // The client went away inside MULTI: its transaction is gone, nothing was applied.
        try (Jedis j = leader.client()) {
            assertEquals(null, Commands.call(j, "GET", "left-open"));
            assertEquals(new ReplyError("ERR EXEC without MULTI"), Commands.call(j, "EXEC"));
        }
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) Datasets.assertSame(Datasets.of(leader), Datasets.of(n), "dataset");
    }

    @Test
    void resp3RepliesAreForwardedUnchanged() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            Commands.call(j, "HELLO", "3");
            assertEquals("OK", Commands.call(j, "HSET", "h", "a", "1") instanceof Long ? "OK" : "no");
            Object map = Commands.call(j, "HGETALL", "h");
            assertInstanceOf(List.class, map); // Jedis flattens RESP3 maps into a list of key/value pairs
            assertEquals(List.of("a", "1"), map);
            Commands.call(j, "ZADD", "z", "1.5", "m");
            assertEquals(1.5, Commands.call(j, "ZSCORE", "z", "m"));
            assertEquals(1.5, Commands.call(j, "ZINCRBY", "z", "0", "m"));
            // Also inside a transaction, which is applied from the log: the map stays a map.
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "HSET", "h", "b", "2"));
            assertEquals("QUEUED", Commands.call(j, "HGETALL", "h"));
            List<?> results = (List<?>) j.sendCommand(Commands.named("EXEC"));
            List<?> inTransaction = (List<?>) results.get(1);
            assertInstanceOf(KeyValue.class, inTransaction.get(0), "a RESP3 map, not a flat array: " + inTransaction);
            // The module builds XREADGROUP's reply itself (determinism.StreamDeliveries): a map in RESP3 too.
            Commands.call(j, "XGROUP", "CREATE", "st", "g", "0", "MKSTREAM");
            Commands.call(j, "XADD", "st", "1-1", "f", "v");
            List<?> read = (List<?>) j.sendCommand(Commands.named("XREADGROUP"), "GROUP", "g", "c", "STREAMS", "st",
                    ">");
            KeyValue<?, ?> stream = assertInstanceOf(KeyValue.class, read.get(0), "a RESP3 map: " + read);
            assertEquals("st", new String((byte[]) stream.getKey(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void unsupportedAndNondeterministicCommandsAreRefused() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        assertEquals(new ReplyError("ERR not supported by RedisRaft"), n.call("BGREWRITEAOF"));
        n.call("SADD", "s", "a", "b");
        ReplyError e = assertInstanceOf(ReplyError.class,
                n.call("EVAL", "return redis.call('SRANDMEMBER', KEYS[1])", "1", "s"));
        assertTrue(e.message().contains("Cannot run a command with random results in this context"), e.message());
        assertEquals(new ReplyError("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "),
                n.call("NOSUCHCOMMAND", "x"));
    }

    @Test
    void ignoredCommandsRunLocally() {
        RaftCluster cluster = servers.cluster(3, "--raft.ignored-commands", "incr");
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        assertEquals(1L, follower.call("INCR", "local"));
        assertEquals(new ReplyError("MOVED 0 " + leader.address()), follower.call("SET", "k", "v"));
        assertEquals(null, leader.call("RAFT.DEBUG", "EXEC", "GET", "local"));
    }
}
