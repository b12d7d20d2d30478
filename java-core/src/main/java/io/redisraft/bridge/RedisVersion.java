package io.redisraft.bridge;

/** The version line of the Redis the module runs in, where its behaviour differs between lines. */
public record RedisVersion(int major, int minor) {
    /** The oldest line the module supports, assumed when a version cannot be read. */
    public static final RedisVersion V7_0 = new RedisVersion(7, 0);

    /** Parses INFO server's redis_version ("7.2.6"); {@link #V7_0} if it cannot. */
    public static RedisVersion parse(String text) {
        if (text == null) return V7_0;
        String[] parts = text.trim().split("\\.");
        try {
            return new RedisVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException e) {
            return V7_0;
        }
    }

    public boolean atLeast(int otherMajor, int otherMinor) {
        return major > otherMajor || (major == otherMajor && minor >= otherMinor);
    }
}
