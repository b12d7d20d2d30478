package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.BackgroundCalls;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import io.redisraft.harness.ShardedWriters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/**
 * Slots moving between two shard groups of three nodes (RAFT.SHARDGROUP MIGRATE: MIGRATE
 * and RAFT.IMPORT underneath) while cluster-aware clients write: every acknowledged write
 * survives, no key is in both groups, and a move cut short by a leader's death on either
 * side completes when run again.
 */
class SlotMigrationTest {
    private static final Duration MOVE = Duration.ofSeconds(180);
    private static final int TAGS = 10;
    private static final int KEYS_PER_TAG = 1000;

    @RegisterExtension
    final Servers servers = new Servers();
    @RegisterExtension
    final BackgroundCalls background = new BackgroundCalls();

    private RaftCluster a;
    private RaftCluster b;
    private final List<String> preloaded = new ArrayList<>();

    /** Group A serves 0-8191 with 10,000 keys in slots 0-4095; group B serves 8192-16383; they are linked. */
    private void twoLinkedGroups() {
        a = servers.cluster(3, "--raft.sharding", "yes", "--raft.slot-config", "0:8191",
                "--raft.shardgroup-update-interval", "500");
        b = servers.cluster(3, "--raft.sharding", "yes", "--raft.slot-config", "8192:16383",
                "--raft.shardgroup-update-interval", "500");
        RedisNode aLeader = a.awaitLeader();
        RedisNode bLeader = b.awaitLeader();
        assertEquals("OK", aLeader.call("RAFT.SHARDGROUP", "LINK", bLeader.address()));
        assertEquals("OK", bLeader.call("RAFT.SHARDGROUP", "LINK", aLeader.address()));
        // Followers apply the links a moment later: clients must find every slot served wherever they ask.
        for (RaftCluster g : List.of(a, b)) {
            for (RedisNode n : g.nodes()) {
                RaftCluster.awaitTrue(Duration.ofSeconds(10), () -> ((List<?>) n.call("CLUSTER", "SLOTS")).size() == 2,
                        n + " describes both groups");
            }
        }
        int tags = 0;
        for (int t = 0; tags < TAGS; t++) {
            if ((Long) aLeader.call("CLUSTER", "KEYSLOT", "t" + t) > 4095) continue;
            tags++;
            List<String> mset = new ArrayList<>(List.of("MSET"));
            for (int i = 0; i < KEYS_PER_TAG; i++) {
                String key = "{t" + t + "}:" + i;
                preloaded.add(key);
                mset.add(key);
                mset.add("p" + i);
            }
            assertEquals("OK", aLeader.call(mset.toArray(new String[0])));
        }
    }

    /** Starts the move; returns once keys are arriving at B (the writers' own keys there are fewer than 1,300). */
    private Future<Object> moveUnderWay(RedisNode sourceLeader, RedisNode target) {
        Future<Object> move = background.call(sourceLeader, "RAFT.SHARDGROUP", "MIGRATE", "0", "4095", target.address());
        RaftCluster.awaitTrue(Duration.ofSeconds(60), () -> (Long) target.call("DBSIZE") > 2000,
                "the first keys reach B");
        return move;
    }

    /** Runs the move again (on the source's leader, to a live target node) until it answers OK. */
    private void completeMove() {
        RaftCluster.awaitTrue(MOVE, () -> {
            Object reply = a.awaitLeader().callSlow(MOVE, "RAFT.SHARDGROUP", "MIGRATE", "0", "4095",
                    b.awaitLeader().address());
            if (reply instanceof ReplyError e) System.out.println("move again: " + e.message());
            return "OK".equals(reply);
        }, "the move completes");
    }

    /** Each node's role and slot map, for a failure's report. */
    private String describe() {
        StringBuilder sb = new StringBuilder();
        for (RaftCluster g : List.of(a, b)) {
            for (RedisNode n : g.nodes()) {
                if (!n.isRunning()) {
                    sb.append(n).append(" down\n");
                    continue;
                }
                sb.append(n).append(' ').append(n.info("raft_role")).append(" applied=")
                        .append(n.info("raft_last_applied_index")).append('\n')
                        .append(n.call("CLUSTER", "NODES"));
            }
        }
        return sb.toString();
    }

    /** What must hold once the move is over. */
    private void check(ShardedWriters writers) throws Exception {
        int written;
        try {
            written = writers.stopAndCheck();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        }
        System.out.printf("writers: %d acknowledged, %d retried (TRYAGAIN/CLUSTERDOWN), %d ambiguous, %d keys%n",
                writers.acknowledged.get(), writers.retried.get(), writers.ambiguous.get(), written);
        assertTrue(writers.acknowledged.get() > 100, "the writers got through");
        for (RaftCluster g : List.of(a, b)) {
            for (RedisNode n : g.nodes()) {
                if (!n.isRunning()) n.start().awaitReady(RaftCluster.READY);
            }
            g.awaitConverged();
            g.assertIdentical();
        }
        // Each key in one group only: together they hold exactly the keys that exist.
        long existing = writers.existingKeys() + preloaded.size();
        long held = (Long) a.awaitLeader().call("DBSIZE") + (Long) b.awaitLeader().call("DBSIZE");
        assertEquals(existing, held, "keys held by the two groups");
        RedisNode someNode = a.aFollower();
        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", someNode.port())))) {
            for (String key : preloaded) {
                assertEquals("p" + key.substring(key.indexOf(':') + 1), client.get(key), key);
            }
        }
        // Every node of both groups sends the moved slots to B's leader (which serves them), without asking.
        RedisNode bLeader = b.awaitLeader();
        String key = preloaded.get(0);
        String moved = "MOVED " + bLeader.call("CLUSTER", "KEYSLOT", key) + " " + bLeader.address();
        assertEquals("p0", bLeader.call("GET", key));
        for (RaftCluster g : List.of(a, b)) {
            for (RedisNode n : g.nodes()) {
                if (n == bLeader) continue;
                RaftCluster.awaitTrue(Duration.ofSeconds(20), () -> n.call("GET", key) instanceof ReplyError e
                        && e.message().equals(moved), n + " redirects the moved slots to B's leader");
            }
        }
    }

    @Test
    void slotsMoveWhileClientsWrite() throws Exception {
        twoLinkedGroups();
        try (ShardedWriters writers = new ShardedWriters(b.node(1), 4, 300)) {
            RedisNode.sleep(1000);
            assertEquals("OK", a.awaitLeader().callSlow(MOVE, "RAFT.SHARDGROUP", "MIGRATE", "0", "4095",
                    b.awaitLeader().address()));
            assertEquals(0L, a.awaitLeader().call("CLUSTER", "COUNTKEYSINSLOT", "100"));
            RedisNode.sleep(1000);
            check(writers);
        }
    }

    @Test
    void aMoveCutShortByTheSourceLeadersDeathCompletesWhenRunAgain() throws Exception {
        moveCutShortByALeadersDeath(true);
    }

    @Test
    void aMoveCutShortByTheTargetLeadersDeathCompletesWhenRunAgain() throws Exception {
        moveCutShortByALeadersDeath(false);
    }

    /**
     * The source's or the target's leader is killed while keys are moving; the move is run
     * again (on the source's leader then) until it completes. Clients start on the group
     * that keeps its leader.
     */
    private void moveCutShortByALeadersDeath(boolean source) throws Exception {
        twoLinkedGroups();
        try (ShardedWriters writers = new ShardedWriters((source ? b : a).node(1), 4, 300)) {
            RedisNode.sleep(1000);
            RedisNode victim = (source ? a : b).awaitLeader();
            Future<Object> first = moveUnderWay(a.awaitLeader(), b.awaitLeader());
            assertTrue(!first.isDone(), "the move was still running when " + victim + " died: "
                    + (first.isDone() ? first.get() : ""));
            victim.kill();
            Object reply;
            try {
                reply = first.get();
            } catch (ExecutionException e) {
                reply = e.getCause(); // the source's leader died with the call
            }
            System.out.println("the move cut short answered: " + reply);
            // A target that elected a new leader at once may still have let it complete.
            if (!"OK".equals(reply)) completeMove();
            RedisNode.sleep(1000);
            check(writers);
        }
    }
}
