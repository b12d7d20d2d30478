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

/**
 * Access control holds for every command that goes through the cluster: checked against
 * the client's own ACL user (commands, key patterns with read/write permissions,
 * channels), with Redis's own NOPERM and NOAUTH errors, before anything is replicated;
 * scripts run under their caller's permissions on every node. Nobody needs a permission
 * for the module's own commands.
 */
class AclTest {
    @RegisterExtension
    final Servers servers = new Servers();

    /** Redis 7.2 reworded its ACL errors: the module answers in the words of the Redis it runs in. */
    private record Wording(boolean redis72) {
        static Wording of(RedisNode node) {
            return new Wording(node.redisAtLeast(7, 2));
        }

        ReplyError keyDenied() {
            return new ReplyError(redis72 ? "NOPERM No permissions to access a key"
                    : "NOPERM this user has no permissions to access one of the keys used as arguments");
        }

        ReplyError channelDenied() {
            return new ReplyError(redis72 ? "NOPERM No permissions to access a channel"
                    : "NOPERM this user has no permissions to access one of the channels used as arguments");
        }

        ReplyError commandDenied(String user, String command) {
            return new ReplyError(redis72 ? "NOPERM User " + user + " has no permissions to run the '" + command
                    + "' command" : "NOPERM this user has no permissions to run the '" + command + "' command");
        }

        /** The start of the error a script gets for a key its caller may not touch. */
        String scriptKeyDenied() {
            return redis72 ? "ERR ACL failure in script: No permissions to access a key"
                    : "ERR The user executing the script can't access at least one of the keys";
        }
    }

    /** ACLs are per node, as in Redis: the same users on every node. */
    private static void createUser(RaftCluster cluster, String... rules) {
        String[] cmd = new String[rules.length + 2];
        cmd[0] = "ACL";
        cmd[1] = "SETUSER";
        System.arraycopy(rules, 0, cmd, 2, rules.length);
        for (RedisNode n : cluster.nodes()) assertEquals("OK", n.call(cmd), n.toString());
    }

    private static Jedis as(RedisNode node, String user, String password) {
        Jedis j = node.client();
        assertEquals("OK", Commands.call(j, "AUTH", user, password));
        return j;
    }

    @Test
    void aRestrictedUserGetsRedisesRepliesForCommandsKeysAndChannels() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Wording wording = Wording.of(leader);
        createUser(cluster, "app", "on", ">pw", "~app:*", "%R~ro:*", "&news", "+get", "+set", "+publish", "+multi",
                "+exec", "+mget");
        leader.call("SET", "ro:shared", "readable");
        try (Jedis j = as(leader, "app", "pw")) {
            assertNull(Commands.call(j, "GET", "app:x"));
            assertEquals("OK", Commands.call(j, "SET", "app:x", "1"));
            assertEquals("1", Commands.call(j, "GET", "app:x"));
            assertEquals("readable", Commands.call(j, "GET", "ro:shared"));
            assertEquals(wording.keyDenied(), Commands.call(j, "SET", "ro:shared", "overwritten"));
            assertEquals(wording.keyDenied(), Commands.call(j, "GET", "other:secret"));
            assertEquals(wording.keyDenied(), Commands.call(j, "MGET", "app:x", "other:secret"));
            assertEquals(wording.commandDenied("app", "incr"), Commands.call(j, "INCR", "app:x"));
            assertEquals(wording.commandDenied("app", "config|get"), Commands.call(j, "CONFIG", "GET", "maxmemory"));
            assertEquals(0L, Commands.call(j, "PUBLISH", "news", "hello"));
            assertEquals(wording.channelDenied(), Commands.call(j, "PUBLISH", "gossip", "hello"));
        }
        createUser(cluster, "reader", "on", ">pw", "~*", "+@read", "+@connection");
        try (Jedis j = as(leader, "reader", "pw")) {
            assertEquals("readable", Commands.call(j, "GET", "ro:shared"));
            assertEquals(1L, Commands.call(j, "EXISTS", "app:x"));
            assertEquals(wording.commandDenied("reader", "set"), Commands.call(j, "SET", "app:x", "2"));
            assertEquals(wording.commandDenied("reader", "eval"), Commands.call(j, "EVAL", "return 1", "0"));
        }
        List<?> log = (List<?>) leader.call("ACL", "LOG");
        assertTrue(log.size() >= 5, "refusals are in the ACL log: " + log);
        cluster.assertIdentical();
        assertEquals("readable", leader.call("GET", "ro:shared"));
    }

    @Test
    void allCommandsButOneKeyPatternStillGuardsTheOtherKeys() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Wording wording = Wording.of(leader);
        createUser(cluster, "tenant", "on", ">pw", "~app:*", "+@all");
        leader.call("SET", "other:secret", "s3cret");
        try (Jedis j = as(leader, "tenant", "pw")) {
            assertEquals(wording.keyDenied(), Commands.call(j, "GET", "other:secret"));
            assertEquals(wording.keyDenied(), Commands.call(j, "SET", "other:secret", "stolen"));
            assertEquals(wording.keyDenied(), Commands.call(j, "RENAME", "app:a", "other:secret"));
            assertEquals("OK", Commands.call(j, "SET", "app:a", "mine"));
        }
        cluster.assertIdentical();
        assertEquals("s3cret", leader.call("GET", "other:secret"));
    }

    @Test
    void transactionsAreCheckedWhenCommandsAreQueued() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Wording wording = Wording.of(leader);
        createUser(cluster, "app", "on", ">pw", "~app:*", "+@all");
        try (Jedis j = as(leader, "app", "pw")) {
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "SET", "app:1", "x"));
            assertEquals(wording.keyDenied(), Commands.call(j, "SET", "other:1", "x"));
            assertEquals(new ReplyError("EXECABORT Transaction discarded because of previous errors."),
                    Commands.call(j, "EXEC"));
        }
        assertNull(leader.call("GET", "app:1"));
        cluster.assertIdentical();
    }

    @Test
    void scriptsRunUnderTheirCallersPermissionsOnEveryNode() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        Wording wording = Wording.of(leader);
        createUser(cluster, "app", "on", ">pw", "~app:*", "+@all");
        // The default user is restricted on every node: scripts must not run as it.
        for (RedisNode n : cluster.nodes()) n.call("ACL", "SETUSER", "default", "resetkeys", "~nothing:*");
        try (Jedis j = as(leader, "app", "pw")) {
            assertEquals(3L, Commands.call(j, "EVAL",
                    "redis.call('SET', KEYS[1], 'v', 'EX', 100); return redis.call('INCRBY', KEYS[2], 3)",
                    "2", "app:a", "app:n"));
            ReplyError e = assertInstanceOf(ReplyError.class, Commands.call(j, "EVAL",
                    "redis.call('SET', 'app:b', 'v'); return redis.call('SET', 'other:b', 'v')", "0"));
            assertTrue(e.message().startsWith(wording.scriptKeyDenied()), e.message());
            ReplyError ttl = assertInstanceOf(ReplyError.class,
                    Commands.call(j, "EVAL", "return redis.call('TTL', 'other:b')", "0"));
            assertTrue(ttl.message().startsWith(wording.scriptKeyDenied()), ttl.message());
        }
        for (RedisNode n : cluster.nodes()) n.call("ACL", "SETUSER", "default", "allkeys");
        cluster.assertIdentical();
        // The script stopped at the refused command on every node: app:b written, other:b not.
        for (RedisNode n : cluster.nodes()) {
            assertEquals("v", n.call("RAFT.DEBUG", "EXEC", "GET", "app:b"));
            assertNull(n.call("RAFT.DEBUG", "EXEC", "GET", "other:b"));
        }
    }

    @Test
    void clientsMustAuthenticateWhenTheDefaultUserHasAPassword() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        n.call("SET", "k", "v");
        n.call("CONFIG", "SET", "requirepass", "s3cret");
        try {
            try (Jedis j = n.client()) {
                assertEquals(new ReplyError("NOAUTH Authentication required."), Commands.call(j, "GET", "k"));
                assertEquals(new ReplyError("NOAUTH Authentication required."), Commands.call(j, "SET", "k", "x"));
                assertEquals(new ReplyError("NOAUTH Authentication required."), Commands.call(j, "INFO"));
                assertInstanceOf(ReplyError.class, Commands.call(j, "AUTH", "wrong"));
                assertEquals(new ReplyError("NOAUTH Authentication required."), Commands.call(j, "GET", "k"));
                assertEquals("OK", Commands.call(j, "AUTH", "s3cret"));
                assertEquals("v", Commands.call(j, "GET", "k"));
            }
            try (Jedis j = n.client()) {
                Object hello = Commands.call(j, "HELLO", "3", "AUTH", "default", "s3cret");
                assertInstanceOf(List.class, hello);
                assertEquals("v", Commands.call(j, "GET", "k"));
            }
            // As in Redis, a client that never authenticated may run commands once the password is gone.
            try (Jedis waiting = n.client(); Jedis admin = n.client()) {
                assertEquals(new ReplyError("NOAUTH Authentication required."), Commands.call(waiting, "GET", "k"));
                assertEquals("OK", Commands.call(admin, "AUTH", "s3cret"));
                assertEquals("OK", Commands.call(admin, "CONFIG", "SET", "requirepass", ""));
                assertEquals("v", Commands.call(waiting, "GET", "k"));
            }
        } finally {
            try (Jedis j = n.client()) {
                Commands.call(j, "AUTH", "s3cret");
                Commands.call(j, "CONFIG", "SET", "requirepass", "");
            }
        }
        assertEquals("v", n.call("GET", "k"));
    }

    @Test
    void theModulesInternalCommandsAreRefusedToClients() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        ReplyError internal = new ReplyError("ERR this command is internal to the Raft module");
        for (RedisNode n : cluster.nodes()) {
            // RAFT._AS would otherwise write on one node only, outside the log and without ACL checks.
            assertEquals(internal, n.call("RAFT._AS", "SET", "alone", "1"));
            assertEquals(internal, n.call("RAFT._AS_RO", "GET", "alone"));
            assertEquals(internal, n.call("RAFT._EXPIRE", "alone"));
            assertEquals(internal, n.call("RAFT._NOSCRIPT"));
        }
        assertEquals("OK", leader.call("SET", "k", "v"));
        cluster.awaitConverged();
        for (RedisNode n : cluster.nodes()) assertNull(n.call("RAFT.DEBUG", "EXEC", "GET", "alone"));
        cluster.assertIdentical();
    }
}
