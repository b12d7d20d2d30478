package io.redisraft.security;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.NamedParameterSpec;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key and certificate every member derives from raft.cluster-password, so that the
 * Raft port can demand proof of the password without certificates from the operator: an
 * Ed25519 key whose 32-byte seed is HMAC-SHA256(password, a fixed label) (Ed25519 makes
 * the key pair from the seed alone, the same way on every JDK), in a self-signed X.509
 * certificate with fixed fields, so every member makes the same bytes. A peer proves it
 * holds the key in the TLS handshake; the password itself never crosses the wire.
 */
final class ClusterKey {
    private static final String LABEL = "redisraft raft port key v1";
    private static final byte[] ED25519 = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};

    final KeyPair keys;
    final X509Certificate certificate;

    private ClusterKey(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    static ClusterKey derive(String password) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] seed = mac.doFinal(LABEL.getBytes(StandardCharsets.US_ASCII));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new Seed(seed));
        KeyPair keys = generator.generateKeyPair();

        byte[] name = Der.element(Der.SEQUENCE, Der.element(Der.SET, Der.element(Der.SEQUENCE,
                Der.element(Der.OID, new byte[] {0x55, 0x04, 0x03}), // commonName
                Der.element(Der.UTF8_STRING, "redisraft cluster".getBytes(StandardCharsets.US_ASCII)))));
        byte[] tbs = Der.element(Der.SEQUENCE,
                Der.element(Der.CONTEXT_0, Der.element(Der.INTEGER, new byte[] {2})), // version 3
                Der.element(Der.INTEGER, new byte[] {1}), // serial number
                ED25519,
                name,
                Der.element(Der.SEQUENCE, time("20000101000000Z"), time("99991231235959Z")),
                name,
                keys.getPublic().getEncoded());
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] der = Der.element(Der.SEQUENCE, tbs, ED25519,
                Der.element(Der.BIT_STRING, new byte[] {0}, signer.sign())); // no unused bits
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new ClusterKey(keys, certificate);
    }

    private static byte[] time(String generalized) {
        return Der.element(Der.GENERALIZED_TIME, generalized.getBytes(StandardCharsets.US_ASCII));
    }

    /** Hands the key generator the seed instead of random bytes. */
    private static final class Seed extends SecureRandom {
        private final byte[] seed;

        Seed(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) throw new IllegalStateException("Ed25519 wants " + bytes.length + " bytes");
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
