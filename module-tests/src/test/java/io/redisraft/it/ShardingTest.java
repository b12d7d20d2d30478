package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Shard groups (raft.sharding): Raft clusters that each serve part of the hash slots, linked
 * so that every node redirects to the group that serves a key and describes all of them to
 * cluster-aware clients; RAFT.SHARDGROUP's changes go through each group's log.
 */
class ShardingTest {
    private static final String FAKE_GROUP = "12345678901234567890123456789012";
    private static final String FAKE_NODE = "1234567890123456789012345678901234567890";

    @RegisterExtension
    final Servers servers = new Servers();

    private static String error(Object reply) {
        return assertInstanceOf(ReplyError.class, reply, String.valueOf(reply)).message();
    }

    /** Slot of a key, as any node computes it. */
    private static long slot(RedisNode n, String key) {
        return (Long) n.call("CLUSTER", "KEYSLOT", key);
    }

    @Test
    void clusterClientsWriteAcrossThreeLinkedGroups() {
        // Group A has three nodes (its leader will change); B and C one each, to spare the two cores.
        RaftCluster a = servers.cluster(3, "--raft.sharding", "yes", "--raft.slot-config", "0:5460",
                "--raft.shardgroup-update-interval", "500");
        RaftCluster b = servers.cluster(1, "--raft.sharding", "yes", "--raft.slot-config", "5461:10922",
                "--raft.shardgroup-update-interval", "500");
        RaftCluster c = servers.cluster(1, "--raft.sharding", "yes", "--raft.slot-config", "10923:16383",
                "--raft.shardgroup-update-interval", "500");
        RedisNode aLeader = a.awaitLeader();
        RedisNode bLeader = b.awaitLeader();
        RedisNode cLeader = c.awaitLeader();
        // Linking through a follower is redirected to its leader, as for any leader-only command.
        RedisNode aFollower = a.aFollower();
        assertTrue(error(aFollower.call("RAFT.SHARDGROUP", "LINK", bLeader.address())).startsWith("MOVED"));
        for (RedisNode from : List.of(aLeader, bLeader, cLeader)) {
            for (RedisNode to : List.of(aLeader, bLeader, cLeader)) {
                if (from != to) assertEquals("OK", from.call("RAFT.SHARDGROUP", "LINK", to.address()));
            }
        }
        assertEquals("ERR cannot link a shard group to itself", error(bLeader.call("RAFT.SHARDGROUP", "LINK", bLeader.address())));

        // Every node describes the three groups (a follower once it applied the links), with stable ids.
        for (RedisNode n : List.of(aFollower, bLeader, cLeader)) {
            RaftCluster.awaitTrue(Duration.ofSeconds(10), () -> ((List<?>) n.call("CLUSTER", "SLOTS")).size() == 3,
                    n + " describes three groups: " + n.call("CLUSTER", "SLOTS"));
        }
        String nodes = (String) cLeader.call("CLUSTER", "NODES");
        assertEquals(5, nodes.split("\n").length, nodes);
        assertTrue(nodes.contains(a.dbid()) && nodes.contains(b.dbid()) && nodes.contains(c.dbid()), nodes);
        String cId = c.dbid() + String.format("%08x", Integer.parseInt(cLeader.info("raft_node_id")));
        assertEquals(cId, cLeader.call("CLUSTER", "MYID"));
        assertTrue(nodes.contains(cId + " " + cLeader.address() + "@" + cLeader.port() + " myself,master - "), nodes);

        // Redirections: to the group serving the key, straight from any node; CROSSSLOT for keys of two slots.
        String cKey = "lemon"; // slot 14374
        assertEquals(14374L, slot(aFollower, cKey));
        assertEquals("MOVED 14374 " + cLeader.address(), error(aFollower.call("SET", cKey, "v")));
        assertEquals("CROSSSLOT Keys in request don't hash to the same slot",
                error(bLeader.call("MSET", "grape", "1", "lemon", "2")));
        assertEquals("OK", bLeader.call("MSET", "{mango}1", "1", "{mango}2", "2")); // slot 6238 is B's

        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", aFollower.port())))) {
            for (int i = 0; i < 300; i++) client.set("key" + i, "value" + i);
            for (int i = 0; i < 300; i++) assertEquals("value" + i, client.get("key" + i));

            // Each key lives in the group serving its slot, and only there.
            long total = 0;
            for (RaftCluster g : List.of(a, b, c)) {
                long size = (Long) g.awaitLeader().call("DBSIZE");
                assertTrue(size > 50, g.dbid() + " holds " + size + " keys");
                total += size;
            }
            assertEquals(300 + 2, total); // plus B's {mango} keys

            // A's leader dies: the other groups learn its new leader, and the client follows.
            aLeader.kill();
            RedisNode newLeader = a.awaitLeader();
            assertNotEquals(aLeader, newLeader);
            String aKey = "grape"; // slot 2324
            RaftCluster.awaitTrue(Duration.ofSeconds(30),
                    () -> ("MOVED 2324 " + newLeader.address()).equals(error(cLeader.call("GET", aKey))),
                    "group C redirects to group A's new leader");
            for (int i = 0; i < 300; i++) client.set("key" + i, "again" + i);
            for (int i = 0; i < 300; i++) assertEquals("again" + i, client.get("key" + i));
        }
        a.awaitConverged();
        a.assertIdentical();
    }

    @Test
    void shardGroupChangesAreCheckedLoggedAndKept() {
        RaftCluster cluster = servers.cluster(3, "--raft.sharding", "yes", "--raft.slot-config", "0");
        RedisNode leader = cluster.awaitLeader();

        // Slot 0 only: other keys are not served by anyone yet.
        assertEquals("CLUSTERDOWN Hash slot is not served", error(leader.call("SET", "key", "value")));
        assertEquals("OK", leader.call("RAFT.SHARDGROUP", "ADD", FAKE_GROUP, "1", "1", "1", "16382", "1", "0",
                FAKE_NODE, "1.1.1.1:1111"));
        assertEquals("MOVED 12539 1.1.1.1:1111", error(leader.call("SET", "key", "value")));
        assertEquals("ERR Invalid ShardGroup Update", error(leader.call("RAFT.SHARDGROUP", "ADD", FAKE_GROUP,
                "1", "1", "16383", "16383", "1", "0", FAKE_NODE, "1.1.1.1:1111")));
        assertTrue(error(leader.call("RAFT.SHARDGROUP", "ADD", "x".repeat(32), "1", "0", "5", "5", "1", "0"))
                .startsWith("ERR invalid shardgroup configuration"));
        assertTrue(error(leader.call("RAFT.SHARDGROUP", "REPLACE", "1", cluster.dbid(), "1", "1", "0", "16383", "1",
                FAKE_NODE, "2.2.2.2:2222")).contains("wrong number of arguments"));
        assertEquals("ERR Unable to validate shard groups: shard group already owns this slot",
                error(leader.call("RAFT.SHARDGROUP", "REPLACE", "2",
                        FAKE_GROUP, "1", "1", "0", "100", "1", "0", FAKE_NODE, "2.2.2.2:2222",
                        cluster.dbid(), "1", "0", "100", "16383", "1", "0")));
        assertEquals("RAFT.SHARDGROUP supports GET/ADD/REPLACE/LINK only", error(leader.call("RAFT.SHARDGROUP", "FOO")));
        assertTrue(error(cluster.aFollower().call("RAFT.SHARDGROUP", "GET")).startsWith("MOVED"));

        // External sharding's whole configuration: slots 0-5 here, 8-16383 elsewhere, 6-7 nowhere.
        assertEquals("OK", leader.call("RAFT.SHARDGROUP", "REPLACE", "3",
                FAKE_GROUP, "1", "1", "6", "7", "1", "0", "2".repeat(40), "2.2.2.2:2222",
                "12345678901234567890123456789013", "1", "1", "8", "16383", "1", "0", "3".repeat(40), "3.3.3.3:3333",
                cluster.dbid(), "1", "0", "0", "5", "1", "0"));
        assertEquals("MOVED 12539 3.3.3.3:3333", error(leader.call("SET", "key", "value")));
        String here = findKeyInSlots(leader, 0, 5);
        assertEquals("OK", leader.call("SET", here, "value"));
        String nowhere = findKeyInSlots(leader, 6, 7);
        assertEquals("MOVED " + slot(leader, nowhere) + " 2.2.2.2:2222", error(leader.call("GET", nowhere)));

        // As in Redis Cluster: one database; a follower's redirection names the key's slot.
        assertEquals("ERR SELECT is not allowed in cluster mode", error(leader.call("SELECT", "1")));
        assertEquals("MOVED " + slot(leader, here) + " " + leader.address(), error(cluster.aFollower().call("GET", here)));

        // A transaction's keys must share a slot; the whole EXEC is refused otherwise.
        try (Jedis j = leader.client()) {
            Transaction tx = j.multi();
            tx.set(here, "1");
            tx.set("key", "2");
            JedisDataException refused = assertThrows(JedisDataException.class, tx::exec);
            assertTrue(refused.getMessage().contains("MOVED") || refused.getMessage().contains("CROSSSLOT"),
                    refused.getMessage());
        }

        List<?> get = (List<?>) leader.call("RAFT.SHARDGROUP", "GET");
        assertEquals(cluster.dbid(), get.get(0));
        assertEquals(List.of(List.of(0L, 5L, 1L)), get.get(1));
        assertEquals(3, ((List<?>) get.get(2)).size());

        // The configuration is in the log and in snapshots: it survives a restart of every node,
        // and a node that joins later learns it.
        cluster.compactEverywhere();
        for (RedisNode n : cluster.nodes()) n.terminate();
        for (RedisNode n : cluster.nodes()) n.start().awaitReady(RaftCluster.READY);
        RedisNode again = cluster.awaitLeader();
        RaftCluster.awaitTrue(Duration.ofSeconds(30), () -> "value".equals(again.call("GET", here)),
                "the dataset is back");
        assertEquals("MOVED 12539 3.3.3.3:3333", error(again.call("GET", "key")));
        RedisNode joined = cluster.addNode();
        cluster.awaitConverged();
        assertEquals(3, ((List<?>) joined.call("CLUSTER", "SLOTS")).size());
        assertEquals("MOVED 12539 3.3.3.3:3333", error(joined.call("GET", "key")));

        // Without raft.sharding the command is refused and keys are not checked.
        for (RedisNode n : cluster.nodes()) n.call("CONFIG", "SET", "raft.sharding", "no");
        assertEquals("ERR RedisRaft sharding not enabled", error(cluster.awaitLeader().call("RAFT.SHARDGROUP", "GET")));
    }

    /**
     * RedisRaft's own migration flow, driven from outside as its tests do: REPLACE on both
     * groups (migrating / importing), RAFT.SCAN and MIGRATE with empty host and port on the
     * source, REPLACE again; and RAFT.IMPORT's checks of the slot, session and term.
     */
    @Test
    void redisRaftsMigrationCommandsWorkAsItsTestsUseThem() {
        RaftCluster source = servers.cluster(1, "--raft.sharding", "yes", "--raft.external-sharding", "yes");
        RaftCluster target = servers.cluster(1, "--raft.sharding", "yes", "--raft.external-sharding", "yes");
        RedisNode s = source.awaitLeader();
        RedisNode t = target.awaitLeader();
        for (int i = 0; i < 300; i++) {
            assertEquals("OK", s.call("SET", "{key}" + i, "value"));   // slot 12539
            assertEquals("OK", s.call("SET", "{key2}" + i, "value"));  // slot 4998
        }
        String sNode = source.dbid() + "00000001";
        String tNode = target.dbid() + "00000001";
        String[] moving = {"RAFT.SHARDGROUP", "REPLACE", "2",
                source.dbid(), "2", "1", "0", "8000", "1", "123", "8001", "16383", "3", "123", sNode, s.address(),
                target.dbid(), "1", "1", "8001", "16383", "2", "123", tNode, t.address()};
        assertEquals("OK", s.call(moving));
        assertEquals("OK", t.call(moving));
        String cursor = "0";
        do {
            List<?> reply = (List<?>) s.call("RAFT.SCAN", cursor, "8001-16383");
            cursor = (String) reply.get(0);
            List<String> migrate = new java.util.ArrayList<>(List.of("MIGRATE", "", "", "", "", "", "KEYS"));
            for (Object entry : (List<?>) reply.get(1)) {
                List<?> keyAndSlot = (List<?>) entry;
                assertEquals(12539L, keyAndSlot.get(1));
                migrate.add((String) keyAndSlot.get(0));
            }
            if (migrate.size() > 7) assertEquals("OK", s.call(migrate.toArray(new String[0])));
        } while (!cursor.equals("0"));
        String[] done = {"RAFT.SHARDGROUP", "REPLACE", "2",
                source.dbid(), "1", "1", "0", "8000", "1", "123", sNode, s.address(),
                target.dbid(), "1", "1", "8001", "16383", "1", "123", tNode, t.address()};
        assertEquals("OK", s.call(done));
        assertEquals("OK", t.call(done));
        assertEquals(300L, s.call("DBSIZE"));
        assertEquals(300L, t.call("DBSIZE"));
        assertEquals("value", t.call("GET", "{key}1"));
        assertEquals("MOVED 12539 " + t.address(), error(s.call("GET", "{key}1")));
        assertEquals("MOVED 4998 " + s.address(), error(t.call("GET", "{key2}1")));

        // RAFT.IMPORT into a slot being imported: the session must match, the term may not go back.
        String dump = "irrelevant";
        assertEquals("ERR not an importing slot", error(t.call("RAFT.IMPORT", "2", "123", "{key}1", dump)));
        String[] importing = {"RAFT.SHARDGROUP", "REPLACE", "2",
                source.dbid(), "1", "1", "0", "16383", "3", "77", sNode, s.address(),
                target.dbid(), "1", "1", "0", "16383", "2", "77", tNode, t.address()};
        assertEquals("OK", t.call(importing));
        byte[] payload;
        try (Jedis j = s.client()) {
            payload = j.dump("{key2}1");
        }
        try (Jedis j = t.client()) {
            assertEquals("OK", Commands.plain(j.sendCommand(Commands.named("RAFT.IMPORT"), "2".getBytes(),
                    "77".getBytes(), "{key2}1".getBytes(), payload)));
        }
        assertEquals("ERR invalid term", error(t.call("RAFT.IMPORT", "1", "77", "{key2}1", dump)));
        assertEquals("ERR invalid migration_session_key", error(t.call("RAFT.IMPORT", "2", "10", "{key2}1", dump)));
        try (Jedis j = t.client()) {
            assertTrue(Commands.call(j, "GET", "{key2}1") instanceof ReplyError, "without ASKING: the source's slot");
            assertEquals("OK", Commands.call(j, "ASKING"));
            assertEquals("value", j.get("{key2}1"));
        }
    }

    /** A key whose slot is within start..end. */
    private static String findKeyInSlots(RedisNode n, long start, long end) {
        for (int i = 0; ; i++) {
            long s = slot(n, "k" + i);
            if (s >= start && s <= end) return "k" + i;
        }
    }
}
