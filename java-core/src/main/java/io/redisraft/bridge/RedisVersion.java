package io.redisraft.bridge;

/** The version line of the Redis the module runs in, where its behaviour differs between lines. */
public record RedisVersion(int major, int minor) {
    /** From RedisModule_GetServerVersion's 0x00MMmmpp. */
    public static RedisVersion of(int encoded) {
        return new RedisVersion((encoded >> 16) & 0xff, (encoded >> 8) & 0xff);
    }

    public boolean atLeast(int otherMajor, int otherMinor) {
        return major > otherMajor || (major == otherMajor && minor >= otherMinor);
    }
}
