package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a stranger sends to a node's Raft port (Redis port + 10000) does not harm the node. */
class RaftPortTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static byte[] varint(long n) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while ((n & ~0x7fL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    /** Sends the parts (stopping when the node closes the connection) and returns how many bytes went out. */
    private static long send(int port, byte[]... parts) {
        long sent = 0;
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            for (byte[] p : parts) {
                out.write(p);
                sent += p.length;
            }
            out.flush();
            RedisNode.sleep(300);
        } catch (IOException e) {
            // the node closed the connection
        }
        return sent;
    }

    @Test
    void garbageTruncatedAndOversizedMessagesLeaveTheNodeServing() {
        RaftCluster cluster = servers.cluster(3);
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        leader.call("SET", "before", "1");
        Random random = new Random(42);
        for (RedisNode target : java.util.List.of(leader, follower)) {
            int raftPort = target.port() + 10000;
            byte[] garbage = new byte[64 << 10];
            random.nextBytes(garbage);
            send(raftPort, garbage);
            send(raftPort, varint(1000), new byte[10]); // truncated, then closed
            // A message announced as 200 MB: the node closes the connection instead of buffering it.
            byte[] chunk = new byte[1 << 20];
            byte[][] parts = new byte[81][];
            parts[0] = varint(200_000_000L);
            for (int i = 1; i < parts.length; i++) parts[i] = chunk;
            long sent = send(raftPort, parts);
            assertTrue(sent < 80L << 20, target + " took " + sent + " bytes of an oversized message");
            long direct = Long.parseLong(target.info("raft_jvm_direct_buffers"));
            assertTrue(direct < 16L << 20, target + " holds " + direct + " bytes of direct buffers");
            assertTrue(target.log().contains("Raft port: closed a connection from"), target.logTail(20));
        }
        assertEquals("OK", leader.call("SET", "after", "1"));
        cluster.awaitConverged();
        cluster.assertIdentical();
        for (RedisNode n : cluster.nodes()) assertEquals("up", n.info("raft_state"), n.toString());
    }
}
