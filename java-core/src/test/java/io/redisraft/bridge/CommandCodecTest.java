package io.redisraft.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The unit layout exec.c reads. */
class CommandCodecTest {
    private static byte[][] cmd(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aUnitWithRulesCarriesThemBeforeItsCommands() {
        byte[] unit = CommandCodec.encodeUnit(CommandCodec.UNIT_RESP3, 0, List.of("~a*", "+get"),
                List.of(cmd("EVAL", "return 1", "0"), cmd("GET", "a")));
        ByteBuffer b = CommandCodec.littleEndian(unit);
        assertEquals(CommandCodec.UNIT_RESP3 | CommandCodec.UNIT_AS_USER, b.get());
        int rulesLength = b.getInt();
        int rulesStart = b.position();
        assertEquals(2, b.getInt());
        assertEquals("~a*", string(b));
        assertEquals("+get", string(b));
        assertEquals(rulesStart + rulesLength, b.position());
        assertEquals(2, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals("EVAL", string(b));
        assertEquals("return 1", string(b));
        assertEquals("0", string(b));
        assertEquals(2, b.getInt());
        assertEquals("GET", string(b));
        assertEquals("a", string(b));
        assertEquals(unit.length, b.position());
    }

    @Test
    void aUnitWithoutRulesHasNone() {
        byte[] unit = CommandCodec.encodeUnit(CommandCodec.UNIT_AS_USER, 0, cmd("PING"));
        ByteBuffer b = CommandCodec.littleEndian(unit);
        assertEquals(0, b.get());
        assertEquals(1, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals("PING", string(b));
        assertArrayEquals(unit, CommandCodec.encodeUnit(0, 0, null, List.<byte[][]>of(cmd("PING"))));
    }

    @Test
    void aUnitOfAnotherDatabaseThanZeroNamesItBeforeTheRules() {
        byte[] unit = CommandCodec.encodeUnit(CommandCodec.UNIT_TRANSACTION, 5, List.of("+get"),
                List.<byte[][]>of(cmd("GET", "a")));
        ByteBuffer b = CommandCodec.littleEndian(unit);
        assertEquals(CommandCodec.UNIT_TRANSACTION | CommandCodec.UNIT_DB | CommandCodec.UNIT_AS_USER, b.get());
        assertEquals(5, b.getInt());
        int rulesLength = b.getInt();
        b.position(b.position() + rulesLength);
        assertEquals(1, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals("GET", string(b));
        assertEquals("a", string(b));
        assertEquals(unit.length, b.position());
    }
}
