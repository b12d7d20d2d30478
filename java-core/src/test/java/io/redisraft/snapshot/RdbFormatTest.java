package io.redisraft.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.bridge.RedisVersion;
import org.junit.jupiter.api.Test;

class RdbFormatTest {
    @Test
    void eachRedisLineLoadsTheRdbVersionItWrites() {
        assertEquals(10, RdbFormat.newestLoadable(RedisVersion.parse("7.0.15")));
        assertEquals(10, RdbFormat.newestLoadable(RedisVersion.parse("6.2.14")));
        assertEquals(11, RdbFormat.newestLoadable(RedisVersion.parse("7.2.6")));
        assertEquals(12, RdbFormat.newestLoadable(RedisVersion.parse("7.4.1")));
        assertEquals(Integer.MAX_VALUE, RdbFormat.newestLoadable(RedisVersion.parse("8.0.2")));
    }

    @Test
    void anUnreadableVersionCountsAsTheOldestSupported() {
        assertEquals(RedisVersion.V7_0, RedisVersion.parse(null));
        assertEquals(RedisVersion.V7_0, RedisVersion.parse("unstable"));
        assertEquals(10, RdbFormat.newestLoadable(RedisVersion.parse("")));
    }
}
