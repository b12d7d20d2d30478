package io.redisraft.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * A certificate authority made with openssl for a test, and one certificate it signed
 * (no extended key usage: good for accepting and for making connections). A node given
 * this uses it for its Redis port (TLS only, as with "port 0") and, with raft.tls-enabled,
 * between nodes; the test's clients present the same certificate.
 */
public record Tls(Path caCert, Path cert, Path key) {
    /** Makes a new authority named {@code name} and a certificate it signed, in {@code dir}. */
    public static Tls authority(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path caKey = dir.resolve(name + "-ca.key");
            Path caCert = dir.resolve(name + "-ca.crt");
            Path key = dir.resolve(name + ".key");
            Path csr = dir.resolve(name + ".csr");
            Path cert = dir.resolve(name + ".crt");
            openssl(dir, "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2",
                    "-keyout", caKey.toString(), "-out", caCert.toString(), "-subj", "/O=redisraft-test/CN=" + name + " CA");
            openssl(dir, "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", key.toString(),
                    "-out", csr.toString(), "-subj", "/O=redisraft-test/CN=" + name + " node");
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                    "-CAcreateserial", "-days", "2", "-out", cert.toString());
            return new Tls(caCert, cert, key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make certificates: " + e.getMessage(), e);
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Redis's arguments: TLS only on {@code port}, this certificate and CA, TLS between nodes. */
    public List<String> redisArgs(int port) {
        return List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", caCert.toString(), "--raft.tls-enabled", "yes");
    }

    /** A client context that trusts this authority and presents this certificate. */
    public SSLContext clientContext() {
        return clientContext(caCert);
    }

    /** A client context that trusts the authority of {@code trustedCa} and presents this certificate. */
    public SSLContext clientContext(Path trustedCa) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            Certificate ca;
            try (InputStream in = Files.newInputStream(trustedCa)) {
                ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            return clientContext(tmf.getTrustManagers());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + trustedCa + ": " + e.getMessage(), e);
        }
    }

    /** A client context that presents this certificate and takes any server's. */
    public SSLContext clientContextTrustingAnyone() {
        return clientContext(new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }});
    }

    private SSLContext clientContext(TrustManager[] trust) {
        try {
            KeyStore own = KeyStore.getInstance(KeyStore.getDefaultType());
            own.load(null, null);
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(cert)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
            }
            own.setKeyEntry("me", privateKey(), new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(own, new char[0]);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new AlwaysPresent((X509KeyManager) kmf.getKeyManagers()[0])}, trust, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + cert + ": " + e.getMessage(), e);
        }
    }

    /**
     * Presents the certificate whoever the server says it trusts (the JDK's own key manager
     * would send none to a server of another CA, which is not what a test of refusal wants).
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509KeyManager keys;

        AlwaysPresent(X509KeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"me"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "me";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "me";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    public SSLSocketFactory socketFactory() {
        return clientContext().getSocketFactory();
    }

    /** openssl req -nodes writes an unencrypted PKCS#8 key. */
    private PrivateKey privateKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(key, StandardCharsets.US_ASCII);
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
