package io.redisraft.bridge;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Binary layout of commands, shared with the shim (exec.c), little-endian:
 * <pre>
 *   unit    := u8 flags, [u32 db], [rules], u32 command count, command*
 *   rules   := u32 length, u32 rule count, (u32 length, bytes)*     (when flags has UNIT_AS_USER)
 *   command := u32 argc, (u32 length, bytes)*
 * </pre>
 * A unit is what one client asked for: a single command or a whole MULTI/EXEC
 * transaction, executed back to back on the Redis main thread and answered with one
 * reply (an array for a transaction). A unit with rules runs under a user with those
 * ACL rules on every node (units holding scripts carry their caller's rules); a unit
 * with a database runs in it (its client's selected database), else in database 0.
 */
public final class CommandCodec {
    /** The replies of the unit's commands form one array (MULTI/EXEC). */
    public static final int UNIT_TRANSACTION = 1;
    /** The client speaks RESP3. */
    public static final int UNIT_RESP3 = 2;
    /** The unit carries ACL rules its commands run under. */
    public static final int UNIT_AS_USER = 4;
    /** The unit carries the database its commands run in (only when it is not 0). */
    public static final int UNIT_DB = 8;
    /** A client's blocking command (BLPOP, ...): its client may keep waiting after it ran (blocking.Waiters). */
    public static final int UNIT_MAY_WAIT = 16;
    /** The first command is a check (WATCH): unless it answers +OK, its reply is the unit's and the rest is skipped. */
    public static final int UNIT_CONDITIONAL = 32;
    /** The first command checks the keys' hash slot (sharding.ShardGroups#guard); a WATCH check comes second. */
    public static final int UNIT_GUARDED = 64;

    private CommandCodec() {}

    /** One encoded command: u32 argc, then each argument. */
    public static byte[] encodeCommand(byte[][] argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(commandSize(argv));
        writeCommand(out, argv);
        return out.toByteArray();
    }

    /**
     * One encoded unit run in database {@code db}; {@code rules} (null for none) are the
     * ACL rules it runs under.
     */
    public static byte[] encodeUnit(int flags, int db, List<String> rules, List<byte[][]> commands) {
        byte[] encodedRules = rules == null ? null : encodeRules(rules);
        int size = 9 + (encodedRules == null ? 0 : 4 + encodedRules.length);
        for (byte[][] c : commands) size += commandSize(c);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        flags = encodedRules == null ? flags & ~UNIT_AS_USER : flags | UNIT_AS_USER;
        out.write(db == 0 ? flags & ~UNIT_DB : flags | UNIT_DB);
        if (db != 0) writeInt(out, db);
        if (encodedRules != null) {
            writeInt(out, encodedRules.length);
            out.writeBytes(encodedRules);
        }
        writeInt(out, commands.size());
        for (byte[][] c : commands) writeCommand(out, c);
        return out.toByteArray();
    }

    public static byte[] encodeUnit(int flags, int db, byte[][] command) {
        return encodeUnit(flags, db, null, List.<byte[][]>of(command));
    }

    private static byte[] encodeRules(List<String> rules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, rules.size());
        for (String r : rules) {
            byte[] b = r.getBytes(StandardCharsets.UTF_8);
            writeInt(out, b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** The command as text, for messages. */
    public static String describe(byte[][] argv) {
        StringBuilder sb = new StringBuilder();
        for (byte[] a : argv) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(new String(a, StandardCharsets.UTF_8));
        }
        return sb.toString();
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

    public static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    public static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
