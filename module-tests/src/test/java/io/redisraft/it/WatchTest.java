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

/** WATCH aborts EXEC exactly when a watched key changed, with the same decision on every node. */
class WatchTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static Object watchedIncr(Jedis j, Runnable between, String... watched) {
        String[] watch = new String[watched.length + 1];
        watch[0] = "WATCH";
        System.arraycopy(watched, 0, watch, 1, watched.length);
        assertEquals("OK", Commands.call(j, watch));
        between.run();
        assertEquals("OK", Commands.call(j, "MULTI"));
        assertEquals("QUEUED", Commands.call(j, "INCR", "counter"));
        return Commands.call(j, "EXEC");
    }

    @Test
    void execAbortsWhenAWatchedKeyChangedAndCommitsOtherwise() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client(); Jedis other = leader.client()) {
            Commands.call(j, "SET", "k", "1");
            assertEquals(List.of(1L), watchedIncr(j, () -> { }, "k"));
            assertNull(watchedIncr(j, () -> Commands.call(other, "SET", "k", "2"), "k"), "another client's write");
            assertNull(watchedIncr(j, () -> Commands.call(j, "SET", "k", "3"), "k"), "its own write");
            assertNull(watchedIncr(j, () -> Commands.call(other, "PEXPIRE", "k", "100000"), "k"), "a new deadline");
            assertNull(watchedIncr(j, () -> Commands.call(other, "HSET", "created", "f", "v"), "created"),
                    "a key created");
            assertEquals(List.of(2L), watchedIncr(j, () -> Commands.call(other, "SET", "unwatched", "x"), "k"));
            // Watching a key that then expires aborts, as in Redis 7.
            Commands.call(j, "SET", "brief", "v", "PX", "300");
            assertNull(watchedIncr(j, () -> RedisNode.sleep(600), "brief"), "a watched key expired");
            // UNWATCH, and EXEC/DISCARD, forget the watches.
            assertEquals("OK", Commands.call(j, "WATCH", "k"));
            assertEquals("OK", Commands.call(j, "UNWATCH"));
            Commands.call(other, "SET", "k", "4");
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "INCR", "counter"));
            assertEquals(List.of(3L), Commands.call(j, "EXEC"));
            // An empty transaction: [] if unchanged, nil if changed.
            assertEquals("OK", Commands.call(j, "WATCH", "k"));
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals(List.of(), Commands.call(j, "EXEC"));
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals(new ReplyError("ERR WATCH inside MULTI is not allowed"), Commands.call(j, "WATCH", "k"));
            assertEquals("OK", Commands.call(j, "DISCARD"));
        }
        cluster.awaitConverged();
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) assertEquals("3", n.call("RAFT.DEBUG", "EXEC", "GET", "counter"), n.toString());
        RedisNode follower = cluster.aFollower();
        assertEquals(new ReplyError("MOVED 0 " + leader.address()), follower.call("WATCH", "k"));
    }

    @Test
    void aKeyWrittenBackToItsValueAbortsAndEmptyingADatabaseTouchesOnlyKeysThatWereThere() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        try (Jedis j = leader.client(); Jedis other = leader.client()) {
            Commands.call(j, "SET", "k", "1");
            assertNull(watchedIncr(j, () -> Commands.call(other, "SET", "k", "1"), "k"), "the same value again");
            assertNull(watchedIncr(j, () -> {
                Commands.call(other, "SET", "k", "2");
                Commands.call(other, "SET", "k", "1");
            }, "k"), "changed and set back");
            // FLUSHALL and SWAPDB touch the watched keys that existed, not the absent ones (as in Redis).
            assertEquals(List.of(1L), watchedIncr(j, () -> Commands.call(other, "FLUSHALL"), "absent"));
            Commands.call(j, "SET", "k", "1");
            assertNull(watchedIncr(j, () -> {
                Commands.call(other, "FLUSHALL");
                Commands.call(other, "SET", "k", "1");
            }, "k"), "emptied and written back");
            assertNull(watchedIncr(j, () -> {
                Commands.call(other, "SWAPDB", "0", "1");
                Commands.call(other, "SWAPDB", "0", "1");
            }, "k"), "swapped away and back");

            // Where keys last changed is part of the state: a follower restarted from a
            // snapshot taken after the change must reach the same decision as the others.
            assertEquals("OK", Commands.call(j, "WATCH", "k"));
            Commands.call(other, "SET", "k", "2");
            Commands.call(other, "SET", "k", "1");
            cluster.compactEverywhere();
            RedisNode follower = cluster.aFollower();
            follower.kill();
            follower.start().awaitReady(RaftCluster.READY);
            assertEquals("OK", Commands.call(j, "MULTI"));
            assertEquals("QUEUED", Commands.call(j, "INCR", "counter"));
            assertNull(Commands.call(j, "EXEC"), "changed and set back before a snapshot");
        }
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    @Test
    void concurrentCheckAndSetLosesNoIncrement() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        leader.call("SET", "balance", "0");
        int clients = 4;
        int increments = 15;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<Integer>> retries = new java.util.ArrayList<>();
        for (int c = 0; c < clients; c++) {
            retries.add(pool.submit(() -> {
                int aborted = 0;
                try (Jedis j = leader.client()) {
                    for (int done = 0; done < increments; ) {
                        Commands.call(j, "WATCH", "balance");
                        long value = Long.parseLong((String) Commands.call(j, "GET", "balance"));
                        Commands.call(j, "MULTI");
                        Commands.call(j, "SET", "balance", Long.toString(value + 1));
                        if (Commands.call(j, "EXEC") == null) aborted++;
                        else done++;
                    }
                }
                return aborted;
            }));
        }
        int aborted = 0;
        for (java.util.concurrent.Future<Integer> f : retries) aborted += f.get();
        pool.shutdown();
        // Read-modify-write without WATCH would lose updates; with it every one counts.
        assertEquals(Integer.toString(clients * increments), leader.call("GET", "balance"), aborted + " aborted");
        cluster.awaitConverged();
        cluster.assertIdentical();
    }
}
