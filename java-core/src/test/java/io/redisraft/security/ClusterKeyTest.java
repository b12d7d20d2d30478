package io.redisraft.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/** The Raft port's key derived from raft.cluster-password. */
class ClusterKeyTest {
    @Test
    void everyMemberDerivesTheSameCertificateFromThePassword() throws Exception {
        ClusterKey a = ClusterKey.derive("s3cret");
        ClusterKey b = ClusterKey.derive("s3cret");
        assertArrayEquals(a.certificate.getEncoded(), b.certificate.getEncoded());
        assertArrayEquals(a.keys.getPrivate().getEncoded(), b.keys.getPrivate().getEncoded());
        a.certificate.verify(a.keys.getPublic()); // self-signed
        assertEquals("CN=redisraft cluster", a.certificate.getSubjectX500Principal().getName());
        ClusterKey other = ClusterKey.derive("s3cret!");
        assertFalse(Arrays.equals(a.certificate.getEncoded(), other.certificate.getEncoded()));
    }

    @Test
    void onlyAPeerWithThePasswordCompletesAHandshake() throws Exception {
        NodeTls server = NodeTls.fromClusterPassword("s3cret");
        long refusedBefore = NodeTls.refusedHandshakes();
        handshake(server, NodeTls.fromClusterPassword("s3cret"));
        assertThrows(IOException.class, () -> handshake(server, NodeTls.fromClusterPassword("guess")));
        assertEquals(refusedBefore + 1, NodeTls.refusedHandshakes(), "the server refused the stranger's certificate");
    }

    /** A mutual TLS handshake over loopback, then one byte each way. */
    private static void handshake(NodeTls serverSide, NodeTls clientSide) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {serverSide.keyManager()}, new TrustManager[] {serverSide.trustManager()}, null);
        try (SSLServerSocket listening = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listening.setNeedClientAuth(true);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listening.accept()) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(s.getInputStream().read());
                } catch (IOException e) {
                    // the client sees the failure
                }
            });
            try (SSLSocket c = (SSLSocket) clientSide.socketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
                c.setSoTimeout(5000);
                c.startHandshake();
                c.getOutputStream().write(7);
                c.getOutputStream().flush();
                int echoed = c.getInputStream().read();
                if (echoed != 7) throw new IOException("no echo: " + echoed);
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
