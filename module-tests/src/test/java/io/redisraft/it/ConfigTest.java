package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** raft.* options from the command line, a config file and CONFIG GET/SET. */
class ConfigTest {
    /** Every option of RedisRaft (spec E.2, except hidden test knobs) with its default. */
    static final Map<String, String> REDISRAFT_DEFAULTS = Map.ofEntries(
            Map.entry("raft.id", "0"), Map.entry("raft.periodic-interval", "100"),
            Map.entry("raft.request-timeout", "200"), Map.entry("raft.election-timeout", "1000"),
            Map.entry("raft.connection-timeout", "3000"), Map.entry("raft.join-timeout", "120000"),
            Map.entry("raft.response-timeout", "1000"), Map.entry("raft.proxy-response-timeout", "10000"),
            Map.entry("raft.reconnect-interval", "100"), Map.entry("raft.shardgroup-update-interval", "5000"),
            Map.entry("raft.append-req-max-count", "2"), Map.entry("raft.append-req-max-size", "2097152"),
            Map.entry("raft.snapshot-req-max-count", "32"), Map.entry("raft.snapshot-req-max-size", "65536"),
            Map.entry("raft.log-max-cache-size", "64000000"), Map.entry("raft.log-max-file-size", "128000000"),
            Map.entry("raft.scan-size", "1000"), Map.entry("raft.log-fsync", "yes"),
            Map.entry("raft.follower-proxy", "no"), Map.entry("raft.quorum-reads", "yes"),
            Map.entry("raft.sharding", "no"), Map.entry("raft.external-sharding", "no"),
            Map.entry("raft.tls-enabled", "no"), Map.entry("raft.log-filename", "redisraft.db"),
            Map.entry("raft.slot-config", "0:16383"), Map.entry("raft.ignored-commands", ""),
            Map.entry("raft.cluster-user", "default"), Map.entry("raft.loglevel", "notice"),
            Map.entry("raft.trace", "off"));

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void configGetReturnsEveryOptionWithRedisRaftDefaults() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        Map<String, String> all = n.config("raft.*");
        REDISRAFT_DEFAULTS.forEach((k, v) -> assertEquals(v, all.get(k), k));
        assertTrue(all.containsKey("raft.addr"));
        assertTrue(all.containsKey("raft.jvm-options"));
        assertTrue(all.containsKey("raft.java-home"));
        assertTrue(all.containsKey("raft.rpc-port"));
        // Sensitive and hidden: not listed by a pattern, readable by name.
        assertTrue(!all.containsKey("raft.cluster-password"));
        assertEquals("", n.config("raft.cluster-password").get("raft.cluster-password"));
    }

    @Test
    void commandLineValuesAreApplied() {
        RedisNode n = servers.node("--raft.election-timeout", "2500", "--raft.loglevel", "verbose",
                "--raft.trace", "node conn", "--raft.quorum-reads", "no", "--raft.log-max-file-size", "2mb").start()
                .awaitReady(RaftCluster.READY);
        Map<String, String> all = n.config("raft.*");
        assertEquals("2500", all.get("raft.election-timeout"));
        assertEquals("verbose", all.get("raft.loglevel"));
        assertEquals("node conn", all.get("raft.trace"));
        assertEquals("no", all.get("raft.quorum-reads"));
        assertEquals("2097152", all.get("raft.log-max-file-size"));
    }

    @Test
    void configFileValuesAreApplied() throws IOException {
        RedisNode n = servers.node();
        Path conf = n.dir().resolve("redis.conf");
        Files.createDirectories(n.dir());
        Files.writeString(conf, String.join("\n",
                "port " + n.port(),
                "bind 127.0.0.1",
                "dir " + n.dir(),
                "logfile " + n.logFile(),
                "loadmodule " + RedisNode.modulePath(),
                "raft.addr " + n.address(),
                "raft.request-timeout 333",
                "raft.ignored-commands foo,bar",
                "raft.jvm-options \"-Xmx200m -XX:+UseSerialGC\"",
                ""));
        Process p = new ProcessBuilder(RedisNode.redisServerBinary(), conf.toString())
                .redirectErrorStream(true).redirectOutput(n.dir().resolve("stdout.log").toFile()).start();
        try {
            RaftCluster.awaitTrue(RaftCluster.READY, () -> {
                try {
                    return "333".equals(n.config("raft.request-timeout").get("raft.request-timeout"));
                } catch (Exception e) {
                    return false;
                }
            }, "server with config file");
            assertEquals("foo,bar", n.config("raft.ignored-commands").get("raft.ignored-commands"));
            assertEquals("-Xmx200m -XX:+UseSerialGC", n.config("raft.jvm-options").get("raft.jvm-options"));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void configSetChangesValuesAndRejectsBadOnesWithClearErrors() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals("OK", n.call("CONFIG", "SET", "raft.loglevel", "debug"));
        assertEquals("debug", n.config("raft.loglevel").get("raft.loglevel"));
        assertEquals("OK", n.call("CONFIG", "SET", "raft.election-timeout", "1500"));
        assertEquals("1500", n.config("raft.election-timeout").get("raft.election-timeout"));

        ReplyError badLevel = assertInstanceOf(ReplyError.class, n.call("CONFIG", "SET", "raft.loglevel", "bogus"));
        assertTrue(badLevel.message().contains("raft.loglevel") && badLevel.message().contains("debug, verbose, notice, warning"),
                badLevel.message());
        ReplyError badTimeout = assertInstanceOf(ReplyError.class,
                n.call("CONFIG", "SET", "raft.election-timeout", "-5"));
        assertTrue(badTimeout.message().contains("raft.election-timeout")
                && badTimeout.message().contains("between 1 and"), badTimeout.message());
        ReplyError badAddr = assertInstanceOf(ReplyError.class, n.call("CONFIG", "SET", "raft.addr", "nohostport"));
        assertTrue(badAddr.message().contains("raft.addr must be <host>:<port>"), badAddr.message());
        ReplyError badBool = assertInstanceOf(ReplyError.class, n.call("CONFIG", "SET", "raft.log-fsync", "maybe"));
        assertTrue(badBool.message().contains("raft.log-fsync"), badBool.message());
        ReplyError immutable = assertInstanceOf(ReplyError.class,
                n.call("CONFIG", "SET", "raft.jvm-options", "-Xmx1g"));
        assertTrue(immutable.message().contains("raft.jvm-options"), immutable.message());
    }

    @Test
    void optionsFixedAtInitCannotChangeAfterwards() {
        RedisNode n = servers.cluster(1).node(0);
        ReplyError e = assertInstanceOf(ReplyError.class, n.call("CONFIG", "SET", "raft.log-filename", "other.db"));
        assertTrue(e.message().contains("Configuration change is not allowed after init/join for this parameter"),
                e.message());
        assertInstanceOf(ReplyError.class, n.call("CONFIG", "SET", "raft.addr", "127.0.0.1:1"));
        // Setting the current value again is fine, and other options stay changeable.
        assertEquals("OK", n.call("CONFIG", "SET", "raft.quorum-reads", "no"));
    }

    @Test
    void evictionIsRefusedAtLoadAndByConfigSetNamingTheOption() {
        RedisNode refused = servers.node("--maxmemory-policy", "allkeys-random");
        refused.start();
        assertTrue(refused.waitExit(30), "redis-server refused to start");
        assertTrue(refused.log().contains("maxmemory-policy allkeys-random"), refused.logTail(10));

        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        Object reply = n.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        assertInstanceOf(ReplyError.class, reply);
        assertTrue(((ReplyError) reply).message().contains("maxmemory-policy"), reply.toString());
        reply = n.call("CONFIG", "SET", "maxmemory", "100mb", "maxmemory-policy", "volatile-ttl");
        assertInstanceOf(ReplyError.class, reply);
        assertEquals("noeviction", n.config("maxmemory-policy").get("maxmemory-policy"));
        assertEquals("0", n.config("maxmemory").get("maxmemory"), "nothing of a refused CONFIG SET applies");
        assertEquals("OK", n.call("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        assertEquals("OK", n.call("CONFIG", "SET", "maxmemory", "100mb"));
    }
}
