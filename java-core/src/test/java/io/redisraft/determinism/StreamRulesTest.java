package io.redisraft.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamRulesTest {
    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    @Test
    void xaddsIdFollowsItsOptions() {
        assertEquals(2, StreamIds.idPosition(argv("XADD", "s", "*", "f", "v")));
        assertEquals(3, StreamIds.idPosition(argv("XADD", "s", "NOMKSTREAM", "*", "f", "v")));
        assertEquals(5, StreamIds.idPosition(argv("xadd", "s", "MAXLEN", "~", "10", "*", "f", "v")));
        assertEquals(4, StreamIds.idPosition(argv("XADD", "s", "MINID", "5-0", "*", "f", "v")));
        assertEquals(7, StreamIds.idPosition(argv("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "5", "*", "f", "v")));
        assertEquals(-1, StreamIds.idPosition(argv("XLEN", "s")));
    }

    @Test
    void claimsByIdleTimeAreRefused() {
        assertEquals(StreamRules.IDLE_CLAIM, StreamRules.refusal(argv("XCLAIM", "s", "g", "c", "10", "1-0")));
        assertEquals(StreamRules.IDLE_CLAIM, StreamRules.refusal(argv("XAUTOCLAIM", "s", "g", "c", "10", "0")));
        assertNull(StreamRules.refusal(argv("XCLAIM", "s", "g", "c", "0", "1-0")));
        assertNull(StreamRules.refusal(argv("XLEN", "s")));
    }
}
