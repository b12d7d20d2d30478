package io.redisraft.raft;

import io.redisraft.bridge.CommandCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The payload of a Raft log entry written by this module: a header, then encoded
 * units ({@link CommandCodec}).
 * <pre>
 *   entry := u8 version, u64 origin, u64 first sequence, u64 time, u32 unit count, unit*
 * </pre>
 * {@code origin} identifies the process that appended the entry and the sequence
 * numbers (first, first+1, ...) identify its units there, so that whichever node
 * applies the entry can tell whether one of its own clients waits for a reply.
 * {@code time} (milliseconds, chosen by the leader) is the time every node uses while
 * applying the entry: relative deadlines count from it and keys expire by it.
 */
public record LogEntry(long origin, long firstSequence, long timeMs, int unitCount, byte[] bytes, int unitsOffset) {
    static final int VERSION = 2;
    static final int HEADER_SIZE = 1 + 8 + 8 + 8 + 4;
    private static final int TIME_OFFSET = 1 + 8 + 8;

    public static byte[] encode(long origin, long firstSequence, long timeMs, List<byte[]> units) {
        int size = HEADER_SIZE;
        for (byte[] u : units) size += u.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(VERSION);
        writeLong(out, origin);
        writeLong(out, firstSequence);
        writeLong(out, timeMs);
        CommandCodec.writeInt(out, units.size());
        for (byte[] u : units) out.writeBytes(u);
        return out.toByteArray();
    }

    /** Parses the header; throws IllegalArgumentException for a payload this version cannot read. */
    public static LogEntry decode(byte[] bytes) {
        if (bytes.length < HEADER_SIZE || bytes[0] != VERSION) {
            throw new IllegalArgumentException("unknown log entry format (" + bytes.length + " bytes, version "
                    + (bytes.length > 0 ? bytes[0] : -1) + ")");
        }
        ByteBuffer b = CommandCodec.littleEndian(bytes);
        b.position(1);
        long origin = b.getLong();
        long first = b.getLong();
        long time = b.getLong();
        int count = b.getInt();
        return new LogEntry(origin, first, time, count, bytes, HEADER_SIZE);
    }

    /**
     * The same entry with time {@code timeMs}: what the leader makes of an entry a follower
     * wrote (raft.follower-proxy), so that every entry's time is the leader's.
     */
    static byte[] withTime(byte[] payload, long timeMs) {
        decode(payload); // throws if unreadable
        byte[] copy = payload.clone();
        CommandCodec.littleEndian(copy).putLong(TIME_OFFSET, timeMs);
        return copy;
    }

    public int unitsLength() {
        return bytes.length - unitsOffset;
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        CommandCodec.writeInt(out, (int) v);
        CommandCodec.writeInt(out, (int) (v >>> 32));
    }
}
