package io.redisraft.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockingCommandTest {
    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    private static List<String> keys(BlockingCommand c) {
        return c.keys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void eachFormNamesItsKeysTypeAndTimeout() {
        BlockingCommand blpop = BlockingCommand.parse(argv("BLPOP", "a", "b", "1.5"));
        assertEquals(List.of("a", "b"), keys(blpop));
        assertEquals("list", blpop.type());
        assertEquals(1500, blpop.timeoutMs());
        assertEquals(new Resp.Array(null), blpop.timeoutReply());

        BlockingCommand blmove = BlockingCommand.parse(argv("blmove", "src", "dst", "LEFT", "RIGHT", "0"));
        assertEquals(List.of("src"), keys(blmove));
        assertEquals(0, blmove.timeoutMs(), "0 waits for ever");
        assertEquals(Resp.NULL, blmove.timeoutReply());

        BlockingCommand bzmpop = BlockingCommand.parse(argv("BZMPOP", "2", "2", "z1", "z2", "MIN", "COUNT", "3"));
        assertEquals(List.of("z1", "z2"), keys(bzmpop));
        assertEquals("zset", bzmpop.type());
        assertEquals(List.of("q"), keys(BlockingCommand.parse(argv("BRPOPLPUSH", "q", "d", "0"))));

        BlockingCommand xread = BlockingCommand.parse(argv("XREAD", "COUNT", "2", "BLOCK", "250", "STREAMS", "a", "b",
                "$", "0-0"));
        assertEquals(List.of("a", "b"), keys(xread));
        assertEquals("stream", xread.type());
        assertEquals(250, xread.timeoutMs(), "BLOCK is in milliseconds");
        assertEquals(List.of("s"), keys(BlockingCommand.parse(argv("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                "NOACK", "STREAMS", "s", ">"))));
    }

    @Test
    void xreadsLastIdIsFixedWhenItBlocks() {
        byte[][] fixed = BlockingCommand.withLastIdsResolved(argv("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "5-0"),
                key -> "7-3");
        assertEquals("7-3", new String(fixed[6], StandardCharsets.UTF_8));
        assertEquals("5-0", new String(fixed[7], StandardCharsets.UTF_8));
    }

    @Test
    void malformedOrNonBlockingCommandsAreNotWaitedFor() {
        assertNull(BlockingCommand.parse(argv("LPOP", "a")));
        assertNull(BlockingCommand.parse(argv("BLPOP", "a", "-1")));
        assertNull(BlockingCommand.parse(argv("BLPOP", "a", "soon")));
        assertNull(BlockingCommand.parse(argv("BLMPOP", "0", "3", "a", "LEFT")));
        assertNull(BlockingCommand.parse(argv("BLMOVE", "a", "b", "LEFT", "0")));
        assertNull(BlockingCommand.parse(argv("XREAD", "STREAMS", "a", "$")), "without BLOCK");
        assertNull(BlockingCommand.parse(argv("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0")),
                "history is read at once");
    }
}
