package io.redisraft.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.expiry.Deadlines.TtlQuery;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final long SHIFT = Deadlines.SHIFT_MS;

    private static byte[][] cmd(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    private static String text(byte[][] argv) {
        return String.join(" ", Arrays.stream(argv).map(a -> new String(a, StandardCharsets.UTF_8)).toList());
    }

    private static String rewritten(String... args) {
        return text(Deadlines.rewrite(cmd(args), NOW).argv());
    }

    @Test
    void relativeDeadlinesBecomeAbsoluteFromTheEntryTimeAndShifted() {
        assertEquals("SET k v PXAT " + (NOW + 10_000 + SHIFT), rewritten("SET", "k", "v", "EX", "10"));
        assertEquals("SET k v NX PXAT " + (NOW + 1500 + SHIFT) + " GET", rewritten("SET", "k", "v", "NX", "px", "1500", "GET"));
        assertEquals("GETEX k PXAT " + (NOW + 2000 + SHIFT), rewritten("GETEX", "k", "EX", "2"));
        assertEquals("SET k v PXAT " + (NOW + 5000 + SHIFT), rewritten("SETEX", "k", "5", "v"));
        assertEquals("SET k v PXAT " + (NOW + 7 + SHIFT), rewritten("PSETEX", "k", "7", "v"));
        assertEquals("PEXPIREAT k " + (NOW + 3000 + SHIFT) + " GT", rewritten("EXPIRE", "k", "3", "GT"));
        assertEquals("PEXPIREAT k " + (NOW + 3 + SHIFT), rewritten("PEXPIRE", "k", "3"));
        assertEquals("PEXPIREAT k " + (NOW - 1000 + SHIFT), rewritten("EXPIRE", "k", "-1"));
        assertEquals("RESTORE k " + (NOW + 100 + SHIFT) + " payload REPLACE ABSTTL",
                rewritten("RESTORE", "k", "100", "payload", "REPLACE"));
    }

    @Test
    void aDeadlineNotAfterTheEntryTimeIsReportedPast() {
        assertTrue(Deadlines.rewrite(cmd("EXPIRE", "k", "-1"), NOW).past());
        assertTrue(Deadlines.rewrite(cmd("PEXPIRE", "k", "0"), NOW).past());
        assertTrue(Deadlines.rewrite(cmd("SET", "k", "v", "PXAT", Long.toString(NOW)), NOW).past());
        assertTrue(Deadlines.rewrite(cmd("RESTORE", "k", "5", "p", "ABSTTL"), NOW).past());
        assertFalse(Deadlines.rewrite(cmd("EXPIRE", "k", "1"), NOW).past());
        assertFalse(Deadlines.rewrite(cmd("SET", "k", "v", "PXAT", Long.toString(NOW + 1)), NOW).past());
        assertFalse(Deadlines.rewrite(cmd("SETEX", "k", "1", "v"), NOW).past());
    }

    @Test
    void absoluteDeadlinesAreOnlyShifted() {
        assertEquals("SET k v PXAT " + (4_000_000_000_000L + SHIFT), rewritten("SET", "k", "v", "EXAT", "4000000000"));
        assertEquals("SET k v PXAT " + (4_000_000_000_123L + SHIFT), rewritten("SET", "k", "v", "PXAT", "4000000000123"));
        assertEquals("PEXPIREAT k " + (5000L + SHIFT), rewritten("EXPIREAT", "k", "5"));
        assertEquals("PEXPIREAT k " + (5L + SHIFT) + " NX", rewritten("PEXPIREAT", "k", "5", "NX"));
        assertEquals("RESTORE k " + (77L + SHIFT) + " p ABSTTL", rewritten("RESTORE", "k", "77", "p", "ABSTTL"));
    }

    @Test
    void commandsWithoutADeadlineOrWithInvalidOnesAreLeftForRedisToAnswer() {
        for (String[] c : new String[][] {
                {"SET", "k", "v"}, {"SET", "k", "v", "KEEPTTL"}, {"GETEX", "k", "PERSIST"},
                {"SET", "k", "v", "EX", "0"}, {"SET", "k", "v", "EX", "-3"}, {"SET", "k", "v", "EX", "ten"},
                {"SET", "k", "v", "EX", "1", "PX", "2"}, {"SET", "k", "v", "EX"}, {"SET", "k", "v", "EX", "010"},
                {"SETEX", "k", "0", "v"}, {"PSETEX", "k", "x", "v"}, {"EXPIRE", "k", "1.5"},
                {"EXPIRE", "k", Long.toString(Long.MAX_VALUE)}, {"RESTORE", "k", "0", "p"}, {"RESTORE", "k", "-1", "p"},
                {"GET", "k"}}) {
            byte[][] argv = cmd(c);
            Deadlines.Rewritten r = Deadlines.rewrite(argv, NOW);
            assertSame(argv, r.argv(), String.join(" ", c));
            assertFalse(r.past(), String.join(" ", c));
        }
        // The value names a key as a SET value, not an option.
        assertEquals("SET ex px PXAT " + (NOW + 1000 + SHIFT), rewritten("SET", "ex", "px", "EX", "1"));
    }

    @Test
    void deadlinesBeyondTheShiftedRangeAreClamped() {
        assertEquals(Long.MAX_VALUE, Deadlines.stored(Long.MAX_VALUE - 5));
        assertEquals(SHIFT - 10, Deadlines.stored(-10));
    }

    @Test
    void ttlRepliesAreRedisesComputedFromTheLogicalDeadline() {
        long stored = Deadlines.stored(NOW + 2_600);
        assertEquals(3, Deadlines.ttlReply(TtlQuery.TTL, stored, NOW));
        assertEquals(2_600, Deadlines.ttlReply(TtlQuery.PTTL, stored, NOW));
        assertEquals(NOW + 2_600, Deadlines.ttlReply(TtlQuery.PEXPIRETIME, stored, NOW));
        assertEquals((NOW + 2_600 + 500) / 1000, Deadlines.ttlReply(TtlQuery.EXPIRETIME, stored, NOW));
        assertEquals(0, Deadlines.ttlReply(TtlQuery.PTTL, stored, NOW + 5_000));
        assertEquals(-1, Deadlines.ttlReply(TtlQuery.TTL, -1, NOW));
        assertEquals(-2, Deadlines.ttlReply(TtlQuery.PTTL, -2, NOW));
        assertEquals(TtlQuery.PEXPIRETIME, TtlQuery.of("pexpiretime".getBytes(StandardCharsets.UTF_8)));
        assertNull(TtlQuery.of("get".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void integersAreParsedAsRedisParsesThem() {
        assertEquals(42L, Deadlines.parse("42".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-7L, Deadlines.parse("-7".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0L, Deadlines.parse("0".getBytes(StandardCharsets.UTF_8)));
        for (String bad : new String[] {"", "+1", " 1", "01", "-0", "1e3", "99999999999999999999"}) {
            assertNull(Deadlines.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }
}
