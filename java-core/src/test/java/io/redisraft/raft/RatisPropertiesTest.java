package io.redisraft.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RatisPropertiesTest {
    private static final long MB = 1 << 20;

    @Test
    void theOpenSegmentHoldsAtMostATwelfthOfTheHeapEvenInSmallEntries() {
        // Small entries take about five times their disk size on the heap: 10 MB of the default 128 MB.
        assertEquals(2 * MB, RatisProperties.segmentSize(1024 * MB, 128 * MB));
        assertEquals(16 * MB, RatisProperties.segmentSize(1024 * MB, 1024 * MB));
        assertEquals(32 * MB, RatisProperties.segmentSize(1024 * MB, 4096 * MB));
        // A small log-max-file-size still wins, down to 256 KB.
        assertEquals(2 * MB, RatisProperties.segmentSize(8 * MB, 1024 * MB));
        assertEquals(256 << 10, RatisProperties.segmentSize(100, 1024 * MB));
    }

    @Test
    void theCacheIsAtMostAThirtySecondOfTheHeapAsRatisCountsItButHoldsASegment() {
        assertEquals(4 * MB, RatisProperties.cacheSize(64_000_000, 2 * MB, 128 * MB));
        assertEquals(32 * MB, RatisProperties.cacheSize(64_000_000, 16 * MB, 1024 * MB));
        assertEquals(64_000_000, RatisProperties.cacheSize(64_000_000, 32 * MB, 4096 * MB));
        assertEquals(2 * MB, RatisProperties.cacheSize(0, 2 * MB, 128 * MB));
    }
}
