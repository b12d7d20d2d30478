package io.redisraft.raft;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Binary layout of commands, shared with the shim (exec.c), little-endian:
 * <pre>
 *   unit    := u8 flags, u32 command count, command*
 *   command := u32 argc, (u32 length, bytes)*
 * </pre>
 * A unit is what one client asked for: a single command or a whole MULTI/EXEC
 * transaction, executed back to back on the Redis main thread and answered with one
 * reply (an array for a transaction).
 */
public final class CommandCodec {
    /** The replies of the unit's commands form one array (MULTI/EXEC). */
    public static final int UNIT_TRANSACTION = 1;
    /** The client speaks RESP3. */
    public static final int UNIT_RESP3 = 2;

    private CommandCodec() {}

    /** One encoded command: u32 argc, then each argument. */
    public static byte[] encodeCommand(byte[][] argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(commandSize(argv));
        writeCommand(out, argv);
        return out.toByteArray();
    }

    /** One encoded unit. */
    public static byte[] encodeUnit(int flags, List<byte[][]> commands) {
        int size = 5;
        for (byte[][] c : commands) size += commandSize(c);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(flags);
        writeInt(out, commands.size());
        for (byte[][] c : commands) writeCommand(out, c);
        return out.toByteArray();
    }

    public static byte[] encodeUnit(int flags, byte[][] command) {
        List<byte[][]> one = List.<byte[][]>of(command);
        return encodeUnit(flags, one);
    }

    private static int commandSize(byte[][] argv) {
        int size = 4;
        for (byte[] a : argv) size += 4 + a.length;
        return size;
    }

    private static void writeCommand(ByteArrayOutputStream out, byte[][] argv) {
        writeInt(out, argv.length);
        for (byte[] a : argv) {
            writeInt(out, a.length);
            out.writeBytes(a);
        }
    }

    static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
