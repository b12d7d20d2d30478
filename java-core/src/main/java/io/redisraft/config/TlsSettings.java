package io.redisraft.config;

import java.util.function.UnaryOperator;

/**
 * raft.tls-enabled uses Redis's own TLS settings for connections between nodes, as
 * RedisRaft does: a certificate and key (tls-client-cert-file / tls-client-key-file, else
 * tls-cert-file / tls-key-file) and the CA to check peers with (tls-ca-cert-file or
 * tls-ca-cert-dir). Enabling it without them is refused.
 */
public final class TlsSettings {
    private TlsSettings() {}

    /** Why TLS between nodes cannot be enabled with Redis's settings (name to value), or null. */
    public static String problem(UnaryOperator<String> redisConfig) {
        boolean client = !empty(redisConfig.apply("tls-client-cert-file")) || !empty(redisConfig.apply("tls-client-key-file"));
        String cert = redisConfig.apply(client ? "tls-client-cert-file" : "tls-cert-file");
        String key = redisConfig.apply(client ? "tls-client-key-file" : "tls-key-file");
        boolean ca = !empty(redisConfig.apply("tls-ca-cert-file")) || !empty(redisConfig.apply("tls-ca-cert-dir"));
        if (empty(cert) || empty(key) || !ca) {
            return "Failed to configure TLS: Redis has no " + (empty(cert) || empty(key)
                    ? (client ? "tls-client-cert-file/tls-client-key-file" : "tls-cert-file/tls-key-file")
                    : "tls-ca-cert-file or tls-ca-cert-dir");
        }
        return null;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
