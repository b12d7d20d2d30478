package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Scripts that run past busy-reply-threshold let Redis process events while they run:
 * applying the log must wait until they end (never run inside them), and a replicated
 * script cannot be killed on one node only.
 */
class BusyScriptTest {
    /** Scripts count as busy after 200 ms here (Redis's default is 5 s). */
    private static final String[] BUSY_FAST = {"--busy-reply-threshold", "200"};
    private static final String SPIN_SECONDS = String.join("\n",
            "local start = redis.call('TIME')",
            "while true do",
            "  local now = redis.call('TIME')",
            "  if (now[1] - start[1]) * 1000000 + (now[2] - start[2]) > tonumber(ARGV[1]) * 1000000 then break end",
            "end",
            "return redis.call('GET', KEYS[1])");

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aSlowReadOnlyScriptUnderWriteLoadLeavesEveryNodeUpAndIdentical() throws InterruptedException {
        RaftCluster cluster = servers.cluster(3, BUSY_FAST);
        RedisNode leader = cluster.awaitLeader();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<String> writerProblem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (ClusterClient c = new ClusterClient(cluster.nodes(), Duration.ofSeconds(30), 10_000)) {
                for (long i = 0; !stop.get(); i++) {
                    // Half the writes are scripts: applying one while another script runs must wait.
                    ClusterClient.Outcome o = i % 2 == 0 ? c.call("SET", "w" + (i % 500), Long.toString(i))
                            : c.call("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "w" + (i % 500),
                                    Long.toString(i));
                    if (o.ok()) acknowledged.incrementAndGet();
                    else if (!(o.value() instanceof ReplyError e && e.code().equals("BUSY"))) {
                        writerProblem.compareAndSet(null, String.valueOf(o.value()));
                    }
                }
            } catch (RuntimeException e) {
                writerProblem.compareAndSet(null, e.toString());
            }
        });
        writer.start();
        RedisNode.sleep(500);
        try (Jedis j = leader.client()) {
            for (int round = 0; round < 3; round++) {
                Object reply = Commands.call(j, "EVAL_RO", SPIN_SECONDS, "1", "w1", "1");
                assertTrue(!(reply instanceof ReplyError), "EVAL_RO -> " + reply);
                RedisNode.sleep(300);
            }
        }
        stop.set(true);
        writer.join(30_000);
        assertEquals(null, writerProblem.get());
        assertTrue(acknowledged.get() > 20, acknowledged.get() + " writes acknowledged");
        for (RedisNode n : cluster.nodes()) {
            assertTrue(n.isRunning(), n + " crashed:\n" + n.logTail(30));
            assertTrue(n.crashFiles().isEmpty(), n + " left " + n.crashFiles());
        }
        cluster.assertIdentical();
    }

    @Test
    void aReplicatedScriptCannotBeKilledOnOneNode() throws InterruptedException {
        RaftCluster cluster = servers.cluster(3, BUSY_FAST);
        RedisNode leader = cluster.awaitLeader();
        AtomicReference<Object> scriptReply = new AtomicReference<>();
        // The script runs on all three nodes at once, on two cores: allow it a minute.
        Thread script = new Thread(() -> {
            try {
                scriptReply.set(leader.callSlow(Duration.ofSeconds(60), "EVAL", String.join("\n",
                        "local x = 0",
                        "for i = 1, tonumber(ARGV[1]) do x = x + i % 7 end",
                        "return redis.call('SET', KEYS[1], x)"), "1", "result", "150000000"));
            } catch (RuntimeException e) {
                scriptReply.set(e);
            }
        });
        script.start();
        boolean refused = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Jedis k = leader.client()) {
            while (script.isAlive() && System.nanoTime() < deadline && !refused) {
                Object kill = Commands.call(k, "SCRIPT", "KILL");
                if (kill instanceof ReplyError e && e.code().equals("UNKILLABLE")) refused = true;
                else RedisNode.sleep(50);
            }
        }
        script.join(90_000);
        assertTrue(refused, "SCRIPT KILL was refused while the replicated script ran");
        assertEquals("OK", scriptReply.get());
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) {
            assertInstanceOf(String.class, n.call("RAFT.DEBUG", "EXEC", "GET", "result"), n.toString());
        }
    }
}
