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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** SPOP removes the same members on every node, with Redis's replies. */
class SetPopTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void repliesAreRedissOwn() {
        RaftCluster cluster = servers.cluster(1);
        RedisNode n = cluster.node(0);
        assertEquals(3L, n.call("SADD", "s", "a", "b", "c"));
        Object one = n.call("SPOP", "s");
        assertTrue(Set.of("a", "b", "c").contains(one), String.valueOf(one));
        assertEquals(List.of(), n.call("SPOP", "s", "0"));
        List<?> rest = assertInstanceOf(List.class, n.call("SPOP", "s", "5"));
        assertEquals(2, rest.size());
        assertEquals(0L, n.call("EXISTS", "s"), "the emptied set is gone");
        assertNull(n.call("SPOP", "s"));
        assertEquals(List.of(), n.call("SPOP", "s", "2"));
        assertEquals(new ReplyError("ERR value is out of range, must be positive"), n.call("SPOP", "s", "-1"));
        assertEquals(new ReplyError("ERR value is not an integer or out of range"), n.call("SPOP", "s", "x"));
        assertEquals(new ReplyError("ERR syntax error"), n.call("SPOP", "s", "1", "2"));
        n.call("SET", "str", "v");
        ReplyError wrongType = assertInstanceOf(ReplyError.class, n.call("SPOP", "str"));
        assertTrue(wrongType.message().startsWith("WRONGTYPE"), wrongType.message());
    }

    @Test
    void everyNodeRemovesTheSameMembersFromClientsTransactionsAndScripts() throws Exception {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        List<String> members = IntStream.range(0, 3000).mapToObj(i -> "m" + i).toList();
        for (int i = 0; i < members.size(); i += 500) {
            List<String> args = new ArrayList<>(List.of("SADD", "s"));
            args.addAll(members.subList(i, i + 500));
            leader.call(args.toArray(String[]::new));
        }
        ConcurrentLinkedQueue<String> popped = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int id = c;
            clients.add(pool.submit(() -> {
                try (Jedis j = leader.client()) {
                    for (int round = 0; round < 40; round++) {
                        switch ((id + round) % 4) {
                            case 0 -> popped.add((String) Commands.call(j, "SPOP", "s"));
                            case 1 -> ((List<?>) Commands.call(j, "SPOP", "s", "7")).forEach(m -> popped.add((String) m));
                            case 2 -> {
                                Commands.call(j, "MULTI");
                                Commands.call(j, "SPOP", "s", "3");
                                Commands.call(j, "SPOP", "s");
                                List<?> r = (List<?>) Commands.call(j, "EXEC");
                                ((List<?>) r.get(0)).forEach(m -> popped.add((String) m));
                                popped.add((String) r.get(1));
                            }
                            // In a script the members are ranked by every node, as nothing was proposed.
                            default -> ((List<?>) Commands.call(j, "EVAL",
                                    "return redis.call('SPOP', KEYS[1], 2)", "1", "s"))
                                    .forEach(m -> popped.add((String) m));
                        }
                    }
                }
            }));
        }
        for (Future<?> f : clients) f.get(); // a client's failure fails the test
        pool.shutdown();
        cluster.awaitConverged();
        cluster.assertIdentical();
        Set<String> poppedOnce = new HashSet<>(popped);
        assertEquals(popped.size(), poppedOnce.size(), "no member popped twice");
        Set<String> left = ((List<?>) leader.call("RAFT.DEBUG", "EXEC", "SMEMBERS", "s")).stream()
                .map(String::valueOf).collect(Collectors.toSet());
        Set<String> all = new HashSet<>(poppedOnce);
        all.addAll(left);
        assertEquals(new HashSet<>(members), all, "every member is either popped or left");
        assertEquals(members.size(), popped.size() + left.size());

        // A follower that replays the log from the start removes the same members again.
        RedisNode follower = cluster.aFollower();
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        cluster.awaitConverged();
        cluster.assertIdentical();
    }
}
