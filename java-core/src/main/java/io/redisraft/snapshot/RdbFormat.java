package io.redisraft.snapshot;

import io.redisraft.bridge.RedisVersion;

/**
 * Which RDB format versions a Redis can load: the one it writes and every older one.
 * Checked before a snapshot is installed, so a node never hands Redis a file it would
 * refuse (a cluster whose nodes run different Redis versions, during an upgrade).
 */
public final class RdbFormat {
    private RdbFormat() {}

    /**
     * Newest RDB version the Redis of {@code version} loads: 10 up to 7.0, 11 for 7.2, 12
     * for 7.4; no limit for later lines (one that writes a newer version loads these too,
     * so the check only ever refuses what is certainly too new).
     */
    public static int newestLoadable(RedisVersion version) {
        if (!version.atLeast(7, 2)) return 10;
        if (!version.atLeast(7, 4)) return 11;
        if (!version.atLeast(7, 5)) return 12;
        return Integer.MAX_VALUE;
    }
}
