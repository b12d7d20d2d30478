package io.redisraft.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads the PEM files Redis's TLS settings name: certificates (a file, or every file of a
 * CA directory) and a private key, as PKCS#8 ("PRIVATE KEY", what OpenSSL 3 writes),
 * password-protected PKCS#8 ("ENCRYPTED PRIVATE KEY", with tls-key-file-pass) or an RSA key
 * in PKCS#1 ("RSA PRIVATE KEY").
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemFiles() {}

    /** Every certificate in a PEM file (a chain or a bundle of CAs). */
    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        }
        if (certs.isEmpty()) throw new CertificateException("no certificate in " + file);
        return certs;
    }

    /** The certificates of every PEM file in a directory (tls-ca-cert-dir); other files are skipped. */
    public static List<X509Certificate> certificatesIn(Path dir) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            try {
                certs.addAll(certificates(f));
            } catch (CertificateException e) {
                // not a certificate (an index, a CRL, a README)
            }
        }
        if (certs.isEmpty()) throw new CertificateException("no certificate in the directory " + dir);
        return certs;
    }

    /** The private key of a PEM file; {@code password} opens an encrypted one (null or "" if none). */
    public static PrivateKey privateKey(Path file, String password) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            String body = m.group(2);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(decode(body));
                case "RSA PRIVATE KEY":
                    if (body.contains("ENCRYPTED")) {
                        throw new InvalidKeySpecException(file + ": a key encrypted the legacy OpenSSL way;"
                                + " convert it with openssl pkcs8 -topk8");
                    }
                    return KeyFactory.getInstance("RSA").generatePrivate(
                            new PKCS8EncodedKeySpec(rsaPkcs1ToPkcs8(decode(body))));
                case "ENCRYPTED PRIVATE KEY":
                    if (password == null || password.isEmpty()) {
                        throw new InvalidKeySpecException(file + " is encrypted and tls-key-file-pass is not set");
                    }
                    return pkcs8(decrypt(decode(body), password));
                default:
                    // e.g. EC PARAMETERS before the key: keep looking
            }
        }
        throw new InvalidKeySpecException("no PKCS#8 or RSA private key in " + file
                + " (an EC key must be in PKCS#8: openssl pkcs8 -topk8 -nocrypt)");
    }

    private static byte[] decode(String base64Body) {
        return Base64.getMimeDecoder().decode(base64Body);
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new InvalidKeySpecException("unsupported private key algorithm", last);
    }

    private static byte[] decrypt(byte[] der, String password) throws IOException, GeneralSecurityException {
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        AlgorithmParameters params = info.getAlgParameters();
        // For PBES2 (OpenSSL's default) the parameters name the real scheme, e.g. PBEWithHmacSHA256AndAES_256.
        String algorithm = params != null ? params.toString() : info.getAlgName();
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.DECRYPT_MODE,
                SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray())), params);
        try {
            return info.getKeySpec(cipher).getEncoded();
        } catch (InvalidKeySpecException e) {
            throw new InvalidKeySpecException("cannot decrypt the private key: wrong tls-key-file-pass?", e);
        }
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { the PKCS#1 key } }. */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        return Der.element(Der.SEQUENCE, Der.element(Der.INTEGER, new byte[] {0}), RSA_ALGORITHM,
                Der.element(Der.OCTET_STRING, pkcs1));
    }
}
