package io.redisraft.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogEntryTest {
    @Test
    void headerRoundTrips() {
        byte[] u1 = {1, 2, 3};
        byte[] u2 = {4};
        byte[] bytes = LogEntry.encode(-42, 7, 1_700_000_000_123L, List.of(u1, u2));
        LogEntry e = LogEntry.decode(bytes);
        assertEquals(-42, e.origin());
        assertEquals(7, e.firstSequence());
        assertEquals(1_700_000_000_123L, e.timeMs());
        assertEquals(2, e.unitCount());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(bytes, e.unitsOffset(), bytes.length));
    }

    @Test
    void anotherFormatIsRefused() {
        byte[] bytes = LogEntry.encode(1, 1, 1, List.of());
        bytes[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> LogEntry.decode(bytes));
        assertThrows(IllegalArgumentException.class, () -> LogEntry.decode(new byte[3]));
    }

    @Test
    void entryTimeNeverGoesBackwards() {
        EntryClock clock = new EntryClock();
        long far = System.currentTimeMillis() + 60_000;
        clock.observe(far);
        assertEquals(far, clock.next());
        long t = clock.next();
        assertEquals(far, t);
    }
}
