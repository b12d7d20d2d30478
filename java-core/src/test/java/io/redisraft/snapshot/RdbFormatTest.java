package io.redisraft.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.bridge.RedisVersion;
import org.junit.jupiter.api.Test;

class RdbFormatTest {
    @Test
    void eachRedisLineLoadsTheRdbVersionItWrites() {
        assertEquals(10, RdbFormat.newestLoadable(RedisVersion.of(0x0007000f)));  // 7.0.15
        assertEquals(10, RdbFormat.newestLoadable(RedisVersion.of(0x0006020e)));  // 6.2.14
        assertEquals(11, RdbFormat.newestLoadable(RedisVersion.of(0x00070206)));  // 7.2.6
        assertEquals(12, RdbFormat.newestLoadable(RedisVersion.of(0x00070401)));  // 7.4.1
        assertEquals(Integer.MAX_VALUE, RdbFormat.newestLoadable(RedisVersion.of(0x00080002)));  // 8.0.2
    }

    @Test
    void theVersionIsReadAsRedisEncodesIt() {
        assertEquals(new RedisVersion(7, 2), RedisVersion.of(0x00070206));
        assertEquals(new RedisVersion(7, 0), RedisVersion.of(0x0007000f));
    }
}
