package io.redisraft.config;

/** Checks of string options; each returns a message fragment or null when the value is fine. */
final class Validators {
    private Validators() {}

    static String hostPortOrEmpty(String value) {
        return value.isEmpty() || HostPort.parse(value) != null ? null : "must be <host>:<port> (got '" + value + "')";
    }

    /** A path, absolute or relative to Redis's dir. */
    static String path(String value) {
        if (value.isBlank()) return "must not be empty";
        if (value.endsWith("/")) return "must name a file or directory, not end with '/' (got '" + value + "')";
        return null;
    }

    static String slotConfig(String value) {
        if (value.isBlank()) return null; // no slots
        for (String range : value.split(",")) {
            String[] ends = range.split(":", -1);
            try {
                int start = Integer.parseInt(ends[0].trim());
                int end = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : start;
                if (ends.length > 2 || start < 0 || end > 16383 || start > end) {
                    return "must be slot ranges within 0-16383, e.g. 0:16383 (got '" + value + "')";
                }
            } catch (NumberFormatException e) {
                return "must be slot ranges within 0-16383, e.g. 0:16383 (got '" + value + "')";
            }
        }
        return null;
    }
}
