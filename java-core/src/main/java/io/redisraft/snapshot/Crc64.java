package io.redisraft.snapshot;

/**
 * The CRC-64 Redis writes at the end of every RDB file (Jones polynomial
 * 0xad93d23594c935a9, reflected, initial value 0, no final XOR), used to check that a
 * snapshot file is complete and intact before it replaces the dataset.
 */
final class Crc64 {
    private static final long POLY_REFLECTED = 0x95ac9329ac4bc9b5L; // 0xad93d23594c935a9 bit-reversed
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            TABLE[i] = crc;
        }
    }

    private long crc;

    void update(byte[] b, int off, int len) {
        long c = crc;
        for (int i = off; i < off + len; i++) c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
        crc = c;
    }

    long value() {
        return crc;
    }
}
