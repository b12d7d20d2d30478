package io.redisraft.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StreamIdsTest {
    @Test
    void starFollowsTheEntryTimeOrTheLastIdAsRedisDoesWithItsClock() {
        assertEquals("1000-*", StreamIds.idAfter("0-0", 1000));
        assertEquals("1000-*", StreamIds.idAfter("999-5", 1000));
        // A last id ahead of the clock: the same millisecond, next sequence.
        assertEquals("2000-*", StreamIds.idAfter("2000-5", 1000));
        // Its sequence used up: the next millisecond (Redis's "XADD streamID edge" test).
        assertEquals("2577343934891-*", StreamIds.idAfter("2577343934890-18446744073709551615", 1000));
        // Times beyond a signed long are still times.
        assertEquals("18446744073709551614-*", StreamIds.idAfter("18446744073709551614-3", 1000));
        assertNull(StreamIds.idAfter("18446744073709551615-18446744073709551615", 1000), "Redis answers its error");
    }
}
