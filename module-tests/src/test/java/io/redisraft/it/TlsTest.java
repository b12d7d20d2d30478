package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import io.redisraft.harness.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * raft.tls-enabled: Raft traffic and the RESP connections between nodes use TLS with
 * Redis's own certificate settings, and both ends must hold a certificate of the CA.
 */
class TlsTest {
    @RegisterExtension
    final Servers servers = new Servers();

    /** HTTP/2's client preface and an empty SETTINGS frame: what a gRPC peer sends first. */
    private static final byte[] HTTP2_PREFACE = concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});

    @Test
    void aTlsClusterReplicatesAndRefusesNodesOfAnotherAuthority() throws Exception {
        Tls trusted = Tls.authority(servers.testDir().resolve("certs"), "cluster");
        Tls rogue = Tls.authority(servers.testDir().resolve("certs"), "rogue");
        servers.useTls(trusted);
        RaftCluster cluster = servers.cluster(3, "--raft.follower-proxy", "yes");
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        assertEquals("OK", leader.call("SET", "k", "v"));
        assertEquals("OK", follower.call("SET", "through-follower", "1"), "proxied to the leader over TLS");
        assertEquals("1", follower.call("GET", "through-follower"));
        assertEquals("yes", leader.config("raft.tls-enabled").get("raft.tls-enabled"));
        Object change = leader.call("CONFIG", "SET", "raft.tls-enabled", "no");
        assertTrue(change instanceof ReplyError e && e.message().contains("not allowed after init/join"), "" + change);

        // The Raft port speaks TLS and wants a certificate of the cluster's CA.
        int raftPort = follower.port() + 10000;
        assertTrue(http2Answer(trusted.clientContext(), raftPort) > 0, "a member's certificate is let in");
        assertRefused(follower, rogue.clientContext(trusted.caCert()));
        assertTrue(follower.log().contains("TLS between nodes: refused"), follower.logTail(20));
        sendGarbage(raftPort);

        // A restarted member comes back over TLS.
        follower.kill();
        follower.start().awaitReady(RaftCluster.READY);
        for (int i = 0; i < 20; i++) assertEquals("OK", leader.call("SET", "after-restart", String.valueOf(i)));
        cluster.awaitConverged();
        cluster.assertIdentical();

        // A node whose certificate another CA signed cannot join.
        servers.useTls(rogue);
        RedisNode stranger = servers.node("--raft.join-timeout", "3000").start().awaitReady(RaftCluster.READY);
        Object joined = stranger.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", leader.address());
        assertInstanceOf(ReplyError.class, joined, "JOIN with another CA's certificate: " + joined);
        assertEquals("3", leader.info("raft_num_nodes"));
        assertEquals("OK", leader.call("SET", "still", "serving"));
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    /**
     * Without certificates from the operator, raft.cluster-password guards the Raft port:
     * members prove they know it in a TLS handshake, and a node with another password is
     * refused there (its RESP connection alone would get in: Redis's default user takes
     * any password).
     */
    @Test
    void theClusterPasswordGuardsTheRaftPort() throws Exception {
        RaftCluster cluster = servers.cluster(3, "--raft.cluster-password", "s3cret", "--raft.follower-proxy", "yes");
        RedisNode leader = cluster.awaitLeader();
        RedisNode follower = cluster.aFollower();
        assertEquals("OK", leader.call("SET", "k", "v"));
        assertEquals("OK", follower.call("SET", "through-follower", "1"));
        Tls openssl = Tls.authority(servers.testDir().resolve("certs"), "stranger");
        assertRefused(follower, openssl.clientContextTrustingAnyone());

        RedisNode stranger = servers.node("--raft.cluster-password", "guess", "--raft.join-timeout", "5000")
                .start().awaitReady(RaftCluster.READY);
        Object joined = stranger.callSlow(RaftCluster.JOIN, "RAFT.CLUSTER", "JOIN", leader.address());
        assertInstanceOf(ReplyError.class, joined, "JOIN with another password: " + joined);
        RaftCluster.awaitTrue(RaftCluster.READY, () -> leader.log().contains("TLS between nodes: refused"),
                "the leader to refuse the stranger's Raft port");
        assertTrue(Long.parseLong(leader.info("raft_tls_refused_handshakes")) >= 1);
        assertEquals("3", leader.info("raft_num_nodes"));
        assertEquals("OK", leader.call("SET", "still", "serving"));
        cluster.awaitConverged();
        cluster.assertIdentical();
    }

    /** A client of {@code context} cannot talk to the node's Raft port: the node refused its certificate. */
    private static void assertRefused(RedisNode node, SSLContext context) {
        long before = Long.parseLong(node.info("raft_tls_refused_handshakes"));
        assertThrows(IOException.class, () -> http2Answer(context, node.port() + 10000));
        RaftCluster.awaitTrue(RaftCluster.READY,
                () -> Long.parseLong(node.info("raft_tls_refused_handshakes")) == before + 1,
                "the node to count the refused certificate");
    }

    /** Bytes a TLS connection to a Raft port answers to an HTTP/2 preface, as a client of {@code context}. */
    private static int http2Answer(SSLContext context, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            params.setApplicationProtocols(new String[] {"h2"});
            // Our own check of the node's certificate is not what is tested here.
            params.setEndpointIdentificationAlgorithm(null);
            s.setSSLParameters(params);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(HTTP2_PREFACE);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            return in.read(buf);
        }
    }

    /** A stranger's garbage on a TLS Raft port: the connection is dropped and the node goes on. */
    private static void sendGarbage(int port) throws IOException {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(junk);
                int read;
                do {
                    read = s.getInputStream().read(new byte[256]);
                } while (read > 0);
            } catch (IOException e) {
                // closed by the node: what is expected
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
