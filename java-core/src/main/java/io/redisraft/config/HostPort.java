package io.redisraft.config;

/** A "host:port" address, as raft.addr and the cluster commands use them. */
public record HostPort(String host, int port) {

    /** Parses "host:port" (IPv6 hosts may be bracketed); returns null if malformed. */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) return null;
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty()) return null;
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port > 0 && port <= 65535 ? new HostPort(host, port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
