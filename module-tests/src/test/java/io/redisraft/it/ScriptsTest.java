package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Lua scripts and functions give the same result on every node, whatever happened to each node's log. */
class ScriptsTest {
    private static final String INCR_SCRIPT = "return redis.call('INCR', KEYS[1])";
    private static final String LIBRARY = "#!lua name=counters\n"
            + "redis.register_function('bump', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)";

    @RegisterExtension
    final Servers servers = new Servers();


    @Test
    void aScriptReturningANestedTableOrCallingABlockingCommandGetsRedisErrors() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        String script = "local a = {}; local b = {a}; a[1] = b; return a";
        String request = "*3\r\n$4\r\nEVAL\r\n$" + script.length() + "\r\n" + script + "\r\n$1\r\n0\r\n";
        // Raw: the reply is thousands of nested arrays, then Redis's error (a client library would recurse).
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", leader.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            String line;
            int nested = 0;
            while ((line = in.readLine()) != null && line.equals("*1")) nested++;
            assertEquals("-ERR reached lua stack limit", line, "after " + nested + " nested arrays");
            assertTrue(nested > 100, nested + " nested arrays");
        }
        assertEquals("OK", leader.call("SET", "after", "1"));
        // Blocking commands in scripts get what Redis gives (the module's wrapper must not let them
        // block): Redis 7.0 refuses them, 7.2 runs them without blocking.
        Object blpop = leader.call("EVAL", "return redis.pcall('blpop', KEYS[1], 0)", "1", "x");
        if (leader.redisAtLeast(7, 2)) {
            assertNull(blpop);
        } else {
            ReplyError refused = assertInstanceOf(ReplyError.class, blpop);
            assertTrue(refused.message().contains("not allowed from script"), refused.message());
        }
        ReplyError xread = assertInstanceOf(ReplyError.class,
                leader.call("EVAL", "return redis.pcall('xread', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", "1", "s"));
        assertTrue(xread.message().contains("xread command is not allowed with BLOCK option from scripts"),
                xread.message());
        cluster.awaitConverged();
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) assertEquals("PONG", n.call("PING"), n.toString());
    }

    @Test
    void evalshaAfterCompactionRunsIdenticallyOnARestartedFollower() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        String sha = (String) leader.call("SCRIPT", "LOAD", INCR_SCRIPT);
        cluster.compactEverywhere();
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        try (Jedis j = leader.client()) {
            for (long i = 1; i <= 5; i++) assertEquals(i, Commands.call(j, "EVALSHA", sha, "1", "counter"));
        }
        cluster.assertIdentical();
        assertEquals("5", follower.call("RAFT.DEBUG", "EXEC", "GET", "counter"));
        // The follower ran the script from the log, so it knows it now.
        assertEquals(List.of(1L), follower.call("SCRIPT", "EXISTS", sha));
    }

    @Test
    void noscriptFallbackRunsTheScriptOnceOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        String body = "return redis.call('INCR', KEYS[1]) -- never loaded";
        long indexBefore = Long.parseLong(leader.info("raft_current_index"));
        try (Jedis j = leader.client()) {
            Object reply = Commands.call(j, "EVALSHA", Commands.sha1(body), "1", "once");
            assertEquals(new ReplyError("NOSCRIPT No matching script. Please use EVAL."), reply);
            assertEquals(indexBefore, Long.parseLong(leader.info("raft_current_index")), "NOSCRIPT logged nothing");
            assertEquals(1L, Commands.call(j, "EVAL", body, "1", "once"));
            assertEquals(2L, Commands.call(j, "EVALSHA", Commands.sha1(body), "1", "once"));
        }
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) assertEquals("2", n.call("RAFT.DEBUG", "EXEC", "GET", "once"));
    }

    @Test
    void evalshaOfAnUnknownScriptInsideMultiFailsInItsPlace() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "a", "1"));
            assertEquals("QUEUED", Commands.call(j, "EVALSHA", "0".repeat(40), "0"));
            assertEquals("QUEUED", Commands.call(j, "INCR", "a"));
            List<?> result = (List<?>) Commands.call(j, "EXEC");
            assertEquals("OK", result.get(0));
            assertEquals(new ReplyError("NOSCRIPT No matching script. Please use EVAL."), result.get(1));
            assertEquals(2L, result.get(2));
        }
        cluster.assertIdentical();
    }

    @Test
    void functionLibrariesSurviveSnapshotsOnRestartedAndNewNodes() {
        RaftCluster cluster = servers.cluster(2);
        RedisNode leader = cluster.awaitLeader();
        assertEquals("counters", leader.call("FUNCTION", "LOAD", LIBRARY));
        cluster.compactEverywhere();
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        RedisNode late = cluster.addNode();
        assertTrue(Long.parseLong(late.info("raft_snapshots_received")) >= 1, "joined through a snapshot");
        try (Jedis j = cluster.awaitLeader().client()) {
            for (long i = 1; i <= 5; i++) assertEquals(i * 3, Commands.call(j, "FCALL", "bump", "1", "f", "3"));
        }
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) assertEquals("15", n.call("RAFT.DEBUG", "EXEC", "GET", "f"), n.toString());
    }

    @Test
    void aScriptCopyingASetIntoAListWritesTheSameListOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client()) {
            String[] members = new String[302];
            members[0] = "SADD";
            members[1] = "set";
            for (int i = 0; i < 300; i++) members[i + 2] = "member-" + (i * 7919 % 1000);
            Commands.call(j, members);
            String[] fields = new String[2 + 2 * 100];
            fields[0] = "HSET";
            fields[1] = "hash";
            for (int i = 0; i < 100; i++) {
                fields[2 + 2 * i] = "f" + (i * 31 % 101);
                fields[3 + 2 * i] = "v" + i;
            }
            Commands.call(j, fields);
            Commands.call(j, "EVAL", String.join("\n",
                    "for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('RPUSH', KEYS[2], m) end",
                    "for _, m in ipairs(redis.call('HGETALL', KEYS[3])) do redis.call('RPUSH', KEYS[4], m) end",
                    "for _, m in ipairs(redis.call('KEYS', '*')) do redis.call('RPUSH', KEYS[5], m) end",
                    "return redis.call('LLEN', KEYS[2])"), "5", "set", "list", "hash", "pairs", "names");
        }
        cluster.assertIdentical();
        List<?> pairs = (List<?>) leader.call("RAFT.DEBUG", "EXEC", "LRANGE", "pairs", "0", "1");
        assertEquals(List.of("f0", "v0"), pairs, "HGETALL's pairs stay together");
    }

    @Test
    void randomCommandsStayRefusedInScripts() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        n.call("SADD", "s", "a", "b");
        ReplyError e = assertInstanceOf(ReplyError.class,
                n.call("EVAL", "return redis.call('SRANDMEMBER', KEYS[1])", "1", "s"));
        assertTrue(e.message().contains("Cannot run a command with random results in this context"), e.message());
        ReplyError scan = assertInstanceOf(ReplyError.class, n.call("EVAL", "return redis.call('SCAN', '0')", "0"));
        assertTrue(scan.message().contains("random results"), scan.message());
    }

}
