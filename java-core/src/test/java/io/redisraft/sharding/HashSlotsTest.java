package io.redisraft.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashSlotsTest {
    private static int slot(String key) {
        return HashSlots.of(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void slotsAreRedisClusters() {
        // Values CLUSTER KEYSLOT gives on a Redis Cluster node.
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(866, slot("hello"));
        assertEquals(0, slot(""));
        // CRC16/XMODEM's check value: crc16("123456789") == 0x31C3.
        assertEquals(0x31C3, HashSlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
    }

    @Test
    void aHashTagChoosesTheSlot() {
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("user1000"), slot("foo{user1000}bar{zap}"));
        // An empty tag does not count: the whole key is hashed.
        assertEquals(HashSlots.crc16("foo{}{bar}".getBytes(StandardCharsets.US_ASCII), 0, 10) & 16383, slot("foo{}{bar}"));
        // Only the first '{' opens a tag.
        assertEquals(slot("{bar"), slot("foo{{bar}}zap"));
        // No closing brace: the whole key.
        assertEquals(HashSlots.crc16("foo{bar".getBytes(StandardCharsets.US_ASCII), 0, 7) & 16383, slot("foo{bar"));
    }
}
