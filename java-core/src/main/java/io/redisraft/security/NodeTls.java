package io.redisraft.security;

import io.redisraft.logging.RedisLog;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS between nodes (raft.tls-enabled), from Redis's own TLS settings as RedisRaft uses
 * them: a node accepts connections with tls-cert-file / tls-key-file and connects to other
 * nodes with tls-client-cert-file / tls-client-key-file (or the former when they are not
 * set); peers on both ends must present a certificate signed by a CA of tls-ca-cert-file or
 * tls-ca-cert-dir (mutual TLS: a process without such a certificate cannot talk to a node).
 * As in Redis's own replication over TLS, the certificate chain is checked, host names are
 * not. The files are read when the Raft server starts. Without raft.tls-enabled, the Raft
 * port alone uses {@link #fromClusterPassword} when a cluster password is set.
 */
public final class NodeTls {
    private static final String SERVER = "server";
    private static final String CLIENT = "client";
    /** Handshakes this process refused (one node per process). */
    private static final AtomicLong REFUSED = new AtomicLong();
    /** Peers whose refusal was logged, so that one retrying does not flood the log. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final Identities keys;
    private final X509ExtendedTrustManager trust;
    private final SSLContext context;

    private NodeTls(Identities keys, X509TrustManager chains) throws GeneralSecurityException {
        this.keys = keys;
        this.trust = new ChainOnly(chains);
        this.context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
    }

    /** Reads the files Redis's settings ({@code redisConfig}: name to value) name; throws with a clear message. */
    public static NodeTls load(UnaryOperator<String> redisConfig) throws IOException, GeneralSecurityException {
        String problem = missingSetting(redisConfig);
        if (problem != null) throw new IOException(problem);
        String cert = redisConfig.apply("tls-cert-file");
        String key = redisConfig.apply("tls-key-file");
        Identity server = Identity.load(cert, key, redisConfig.apply("tls-key-file-pass"));
        Identity client = server;
        if (!empty(redisConfig.apply("tls-client-cert-file"))) {
            String clientPass = redisConfig.apply("tls-client-key-file-pass");
            client = Identity.load(redisConfig.apply("tls-client-cert-file"), redisConfig.apply("tls-client-key-file"),
                    empty(clientPass) ? redisConfig.apply("tls-key-file-pass") : clientPass);
        }
        String caFile = redisConfig.apply("tls-ca-cert-file");
        List<X509Certificate> cas = !empty(caFile) ? PemFiles.certificates(Path.of(caFile))
                : PemFiles.certificatesIn(Path.of(redisConfig.apply("tls-ca-cert-dir")));
        return new NodeTls(new Identities(server, client), trustManager(cas));
    }

    /**
     * TLS for the Raft port without certificates from the operator: every member presents
     * and accepts only the certificate derived from raft.cluster-password ({@link ClusterKey}).
     */
    public static NodeTls fromClusterPassword(String password) throws IOException, GeneralSecurityException {
        ClusterKey derived = ClusterKey.derive(password);
        Identity id = new Identity(new X509Certificate[] {derived.certificate}, derived.keys.getPrivate());
        return new NodeTls(new Identities(id, id), trustManager(List.of(derived.certificate)));
    }

    /** Why TLS between nodes cannot be enabled with Redis's settings and files as they are, or null. */
    public static String problem(UnaryOperator<String> redisConfig) {
        try {
            load(redisConfig);
            return null;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            return why.startsWith("Failed to configure TLS") ? why : "Failed to configure TLS: " + why;
        }
    }

    /** Which of Redis's settings TLS between nodes needs is missing, or null. */
    private static String missingSetting(UnaryOperator<String> redisConfig) {
        boolean client = !empty(redisConfig.apply("tls-client-cert-file")) || !empty(redisConfig.apply("tls-client-key-file"));
        boolean serverFiles = !empty(redisConfig.apply("tls-cert-file")) && !empty(redisConfig.apply("tls-key-file"));
        boolean clientFiles = !client || (!empty(redisConfig.apply("tls-client-cert-file"))
                && !empty(redisConfig.apply("tls-client-key-file")));
        boolean ca = !empty(redisConfig.apply("tls-ca-cert-file")) || !empty(redisConfig.apply("tls-ca-cert-dir"));
        if (!serverFiles) return "Failed to configure TLS: Redis has no tls-cert-file/tls-key-file";
        if (!clientFiles) return "Failed to configure TLS: Redis has no tls-client-cert-file/tls-client-key-file";
        if (!ca) return "Failed to configure TLS: Redis has no tls-ca-cert-file or tls-ca-cert-dir";
        return null;
    }

    /** Presents the server certificate to nodes that connect, the client certificate when connecting. */
    public X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /** Accepts peers whose certificate chains to one of the CAs. */
    public X509ExtendedTrustManager trustManager() {
        return trust;
    }

    /** Handshakes this node refused because the peer's certificate did not chain to a CA (INFO raft). */
    public static long refusedHandshakes() {
        return REFUSED.get();
    }

    /** For RESP connections to other nodes (JOIN, forwarded membership commands). */
    public SSLSocketFactory socketFactory() {
        return context.getSocketFactory();
    }

    private static X509TrustManager trustManager(List<X509Certificate> cas) throws IOException,
            GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca" + i, cas.get(i));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) return x;
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    /** A certificate chain and its key. */
    private record Identity(X509Certificate[] chain, PrivateKey key) {
        static Identity load(String certFile, String keyFile, String password) throws IOException,
                GeneralSecurityException {
            List<X509Certificate> chain = new ArrayList<>(PemFiles.certificates(Path.of(certFile)));
            PrivateKey key = PemFiles.privateKey(Path.of(keyFile), password);
            if (!matches(chain.get(0).getPublicKey(), key)) {
                throw new GeneralSecurityException(keyFile + " does not hold the key of " + certFile);
            }
            return new Identity(chain.toArray(new X509Certificate[0]), key);
        }

        /** Whether the private key signs what the certificate's public key verifies. */
        private static boolean matches(PublicKey certified, PrivateKey key) throws GeneralSecurityException {
            if (!certified.getAlgorithm().equals(key.getAlgorithm())) return false;
            String algorithm = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
                default -> null;
            };
            if (algorithm == null) return true; // rare key types: the handshake will tell
            byte[] probe = "redisraft".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        }
    }

    /** Two fixed identities: one for accepting connections, one for making them. */
    private static final class Identities extends X509ExtendedKeyManager {
        private final Identity server;
        private final Identity client;

        Identities(Identity server, Identity client) {
            this.server = server;
            this.client = client;
        }

        private Identity of(String alias) {
            return SERVER.equals(alias) ? server : CLIENT.equals(alias) ? client : null;
        }

        /** The alias if its key suits one of the key types asked for (a handshake tries each in turn). */
        private String ifSuits(String alias, String... keyTypes) {
            String algorithm = of(alias).key().getAlgorithm();
            for (String t : keyTypes) {
                if (algorithm.equalsIgnoreCase(t)) return alias;
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return ifSuits(CLIENT, keyType) == null ? null : new String[] {CLIENT};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ifSuits(CLIENT, keyType);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ifSuits(CLIENT, keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return ifSuits(SERVER, keyType) == null ? null : new String[] {SERVER};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ifSuits(SERVER, keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ifSuits(SERVER, keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Identity id = of(alias);
            return id == null ? null : id.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Identity id = of(alias);
            return id == null ? null : id.key();
        }
    }

    /**
     * Checks certificate chains (and their key usage) but not host names: nodes are
     * addressed by IP or by names their certificates need not carry. Counts and logs
     * (once per peer host) the certificates it refuses.
     */
    private static final class ChainOnly extends X509ExtendedTrustManager {
        private final X509TrustManager chains;

        ChainOnly(X509TrustManager chains) {
            this.chains = chains;
        }

        private interface Check {
            void run() throws CertificateException;
        }

        private void check(Check check, X509Certificate[] chain, String peer) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                REFUSED.incrementAndGet();
                String who = peer == null ? "a peer" : peer;
                if (LOGGED.add(who)) {
                    String subject = chain == null || chain.length == 0 ? "no certificate"
                            : chain[0].getSubjectX500Principal().getName();
                    RedisLog.warning("TLS between nodes: refused " + who + " (" + subject + "): " + e.getMessage()
                            + " (logged once per peer)");
                }
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(() -> chains.checkClientTrusted(chain, authType), chain, null);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(() -> chains.checkServerTrusted(chain, authType), chain, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(() -> chains.checkClientTrusted(chain, authType), chain, peer(socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(() -> chains.checkServerTrusted(chain, authType), chain, peer(socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(() -> chains.checkClientTrusted(chain, authType), chain, engine == null ? null : engine.getPeerHost());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(() -> chains.checkServerTrusted(chain, authType), chain, engine == null ? null : engine.getPeerHost());
        }

        private static String peer(Socket socket) {
            return socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return chains.getAcceptedIssuers();
        }
    }
}
