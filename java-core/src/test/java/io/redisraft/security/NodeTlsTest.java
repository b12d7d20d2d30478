package io.redisraft.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading Redis's TLS files (made here with openssl) into what nodes connect with. */
class NodeTlsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        for (String ca : List.of("ca", "other-ca")) {
            openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2", "-keyout", ca + ".key",
                    "-out", ca + ".crt", "-subj", "/CN=" + ca);
        }
        sign("server", "ca", "serverAuth");
        sign("client", "ca", "clientAuth");
        sign("stranger", "other-ca", null);
        openssl("pkcs8", "-topk8", "-in", "server.key", "-out", "server-encrypted.key", "-passout", "pass:secret");
        openssl("pkey", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-sec1.key");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec-sec1.key", "-out", "ec-pkcs8.key");
    }

    private static void sign(String name, String ca, String usage) throws Exception {
        openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt",
                "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2", "-out", name + ".crt"));
        if (usage != null) {
            Files.writeString(dir.resolve(name + ".ext"), "extendedKeyUsage = " + usage + "\n");
            args.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(args.toArray(new String[0]));
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    private static Path file(String name) {
        return dir.resolve(name);
    }

    private static Map<String, String> redisSettings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("tls-cert-file", file("server.crt").toString());
        settings.put("tls-key-file", file("server.key").toString());
        settings.put("tls-ca-cert-file", file("ca.crt").toString());
        return settings;
    }

    @Test
    void readsKeysInEveryFormOpensslWrites() throws Exception {
        PrivateKey pkcs8 = PemFiles.privateKey(file("server.key"), null);
        assertEquals("RSA", pkcs8.getAlgorithm());
        assertArrayEquals(pkcs8.getEncoded(), PemFiles.privateKey(file("server-pkcs1.key"), null).getEncoded(),
                "PKCS#1 is the same key");
        assertArrayEquals(pkcs8.getEncoded(), PemFiles.privateKey(file("server-encrypted.key"), "secret").getEncoded(),
                "decrypted with tls-key-file-pass");
        assertEquals("EC", PemFiles.privateKey(file("ec-pkcs8.key"), null).getAlgorithm());

        GeneralSecurityException wrongPass = assertThrows(GeneralSecurityException.class,
                () -> PemFiles.privateKey(file("server-encrypted.key"), "wrong"));
        assertTrue(wrongPass.getMessage().contains("tls-key-file-pass"), wrongPass.getMessage());
        GeneralSecurityException noPass = assertThrows(GeneralSecurityException.class,
                () -> PemFiles.privateKey(file("server-encrypted.key"), ""));
        assertTrue(noPass.getMessage().contains("tls-key-file-pass is not set"), noPass.getMessage());
        GeneralSecurityException sec1 = assertThrows(GeneralSecurityException.class,
                () -> PemFiles.privateKey(file("ec-sec1.key"), null));
        assertTrue(sec1.getMessage().contains("openssl pkcs8"), sec1.getMessage());
        assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file("server.crt"), null));
    }

    @Test
    void readsCaFilesAndDirectories() throws Exception {
        Path cas = Files.createDirectories(dir.resolve("cas"));
        Files.copy(file("ca.crt"), cas.resolve("a.pem"));
        Files.copy(file("other-ca.crt"), cas.resolve("b.0"));
        Files.writeString(cas.resolve("README"), "not a certificate");
        List<X509Certificate> all = PemFiles.certificatesIn(cas);
        assertEquals(2, all.size());
        assertEquals(1, PemFiles.certificates(file("ca.crt")).size());
        assertThrows(CertificateException.class, () -> PemFiles.certificates(file("server.key")));
    }

    @Test
    void checksChainsOfItsCaAndPresentsTheRightCertificateForEachSide() throws Exception {
        Map<String, String> settings = redisSettings();
        settings.put("tls-client-cert-file", file("client.crt").toString());
        settings.put("tls-client-key-file", file("client.key").toString());
        NodeTls tls = NodeTls.load(settings::get);
        assertNull(NodeTls.problem(settings::get));

        String[] rsa = {"RSA"};
        assertEquals("CN=server", leaf(tls, tls.keyManager().chooseEngineServerAlias("RSA", null, null)));
        assertEquals("CN=client", leaf(tls, tls.keyManager().chooseEngineClientAlias(rsa, null, null)));
        assertNull(tls.keyManager().chooseEngineServerAlias("EC", null, null), "an RSA key is not offered as EC");

        X509Certificate[] client = PemFiles.certificates(file("client.crt")).toArray(new X509Certificate[0]);
        X509Certificate[] server = PemFiles.certificates(file("server.crt")).toArray(new X509Certificate[0]);
        X509Certificate[] stranger = PemFiles.certificates(file("stranger.crt")).toArray(new X509Certificate[0]);
        tls.trustManager().checkClientTrusted(client, "RSA", (javax.net.ssl.SSLEngine) null);
        tls.trustManager().checkServerTrusted(server, "RSA", (javax.net.ssl.SSLEngine) null);
        assertThrows(CertificateException.class, () -> tls.trustManager().checkClientTrusted(stranger, "RSA"));
        assertThrows(CertificateException.class, () -> tls.trustManager().checkServerTrusted(client, "RSA"),
                "a client-only certificate cannot serve");
        assertNotNull(tls.socketFactory());
    }

    @Test
    void explainsWhatIsMissingOrWrong() throws IOException {
        Map<String, String> settings = redisSettings();
        settings.remove("tls-ca-cert-file");
        assertEquals("Failed to configure TLS: Redis has no tls-ca-cert-file or tls-ca-cert-dir",
                NodeTls.problem(settings::get));
        settings = redisSettings();
        settings.put("tls-key-file", "");
        assertEquals("Failed to configure TLS: Redis has no tls-cert-file/tls-key-file", NodeTls.problem(settings::get));
        settings = redisSettings();
        settings.put("tls-client-cert-file", file("client.crt").toString());
        assertEquals("Failed to configure TLS: Redis has no tls-client-cert-file/tls-client-key-file",
                NodeTls.problem(settings::get));
        settings = redisSettings();
        settings.put("tls-key-file", file("client.key").toString());
        assertTrue(NodeTls.problem(settings::get).contains("does not hold the key of"), NodeTls.problem(settings::get));
        settings = redisSettings();
        settings.put("tls-cert-file", file("missing.crt").toString());
        assertTrue(NodeTls.problem(settings::get).startsWith("Failed to configure TLS: "), NodeTls.problem(settings::get));
    }

    private static String leaf(NodeTls tls, String alias) {
        return tls.keyManager().getCertificateChain(alias)[0].getSubjectX500Principal().getName();
    }
}
