package io.redisraft.raft;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.ratis.thirdparty.io.netty.buffer.ByteBuf;
import org.apache.ratis.thirdparty.io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RaftPortGuardTest {
    private static byte[] varint(long n) {
        byte[] out = new byte[10];
        int i = 0;
        while (true) {
            if ((n & ~0x7fL) == 0) {
                out[i++] = (byte) n;
                return java.util.Arrays.copyOf(out, i);
            }
            out[i++] = (byte) ((n & 0x7f) | 0x80);
            n >>>= 7;
        }
    }

    private static ByteBuf bytes(byte[]... parts) {
        return Unpooled.wrappedBuffer(parts);
    }

    @Test
    void messagesWithinTheLimitPassWhateverHowTheyAreSplit() {
        RaftPortGuard.MessageLengths guard = new RaftPortGuard.MessageLengths(1000);
        byte[] prefix = varint(300);
        // The prefix split across reads, then the body in pieces, then an empty message, then another.
        assertNull(guard.follow(bytes(new byte[] {prefix[0]})));
        assertNull(guard.follow(bytes(new byte[] {prefix[1]}, new byte[100])));
        assertNull(guard.follow(bytes(new byte[200], varint(0), varint(1000), new byte[10])));
        ByteBuf rest = bytes(new byte[990]);
        assertNull(guard.follow(rest));
        assertTrue(rest.readableBytes() == 990, "the guard reads without consuming");
    }

    @Test
    void anAnnouncedLengthOverTheLimitOrAMalformedPrefixClosesTheConnection() {
        String tooLong = new RaftPortGuard.MessageLengths(1000).follow(bytes(varint(200_000_000L)));
        assertNotNull(tooLong);
        assertTrue(tooLong.contains("200000000"), tooLong);
        RaftPortGuard.MessageLengths afterOne = new RaftPortGuard.MessageLengths(1000);
        assertNull(afterOne.follow(bytes(varint(3), new byte[3])));
        assertNotNull(afterOne.follow(bytes(varint(1001))));
        byte[] endless = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1};
        assertNotNull(new RaftPortGuard.MessageLengths(Long.MAX_VALUE).follow(bytes(endless)));
    }
}
