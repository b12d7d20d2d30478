package io.redisraft.blocking;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * What a blocking command waits for: the keys it pops from (or reads), the type they must
 * hold, how long it waits (0: for ever) and what it answers when the time is up. Pure logic.
 */
public record BlockingCommand(List<byte[]> keys, String type, long timeoutMs, Resp timeoutReply, StreamRead read) {
    /**
     * What a blocked stream read waits for: entries after {@code afterIds} (XREAD, one per
     * key), or after the last entry {@code group} was given (XREADGROUP).
     */
    public record StreamRead(List<byte[]> afterIds, byte[] group) {}

    private static final Set<String> LIST_POPS = Set.of("blpop", "brpop", "brpoplpush", "blmove", "blmpop");
    private static final Set<String> ZSET_POPS = Set.of("bzpopmin", "bzpopmax", "bzmpop");
    private static final Set<String> STREAM_READS = Set.of("xread", "xreadgroup");

    /** Whether {@code name} (lower case) is a command that may block (XREAD/XREADGROUP only with BLOCK). */
    public static boolean isBlocking(String name) {
        return LIST_POPS.contains(name) || ZSET_POPS.contains(name) || STREAM_READS.contains(name);
    }

    /**
     * The blocking command of {@code argv}, or null if it is not one or is malformed (Redis
     * then answers its own error when it runs, without waiting).
     */
    public static BlockingCommand parse(byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        if (!isBlocking(name)) return null;
        if (STREAM_READS.contains(name)) return streamRead(argv);
        String type = LIST_POPS.contains(name) ? "list" : "zset";
        int n = argv.length;
        try {
            switch (name) {
                case "brpoplpush":
                    return n == 4 ? of(List.of(argv[1]), type, argv[3], Resp.NULL) : null;
                case "blmove":
                    return n == 6 ? of(List.of(argv[1]), type, argv[5], Resp.NULL) : null;
                case "blmpop":
                case "bzmpop": {
                    if (n < 5) return null;
                    int count = Integer.parseInt(new String(argv[2], StandardCharsets.US_ASCII));
                    if (count <= 0 || 3 + count >= n) return null;
                    return of(new ArrayList<>(Arrays.asList(argv).subList(3, 3 + count)), type, argv[1], Resp.NULL_ARRAY);
                }
                default: // blpop, brpop, bzpopmin, bzpopmax: keys..., timeout
                    if (n < 3) return null;
                    return of(new ArrayList<>(Arrays.asList(argv).subList(1, n - 1)), type, argv[n - 1], Resp.NULL_ARRAY);
            }
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * XREAD / XREADGROUP with BLOCK milliseconds: waits on the streams after STREAMS. XREADGROUP
     * blocks only when every id is ">" (new entries); with other ids it reads history at once.
     */
    private static BlockingCommand streamRead(byte[][] argv) {
        long blockMs = -1;
        for (int i = 1; i < argv.length; i++) {
            String arg = new String(argv[i], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (arg.equals("block") && i + 1 < argv.length) {
                try {
                    blockMs = Long.parseLong(new String(argv[++i], StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    return null;
                }
            } else if (arg.equals("count") || arg.equals("group")) {
                i += arg.equals("group") ? 2 : 1;
            } else if (arg.equals("streams")) {
                int half = (argv.length - i - 1) / 2;
                if (blockMs < 0 || half == 0 || (argv.length - i - 1) % 2 != 0) return null;
                List<byte[]> keys = new ArrayList<>(Arrays.asList(argv).subList(i + 1, i + 1 + half));
                List<byte[]> ids = new ArrayList<>(Arrays.asList(argv).subList(i + 1 + half, argv.length));
                boolean grouped = new String(argv[0], StandardCharsets.UTF_8).equalsIgnoreCase("xreadgroup");
                for (byte[] id : ids) {
                    if (grouped && !new String(id, StandardCharsets.UTF_8).equals(">")) return null;
                }
                StreamRead read = grouped ? new StreamRead(null, group(argv)) : new StreamRead(ids, null);
                return new BlockingCommand(keys, "stream", blockMs, Resp.NULL_ARRAY, read);
            }
        }
        return null;
    }

    private static byte[] group(byte[][] argv) {
        for (int i = 1; i + 1 < argv.length; i++) {
            if (new String(argv[i], StandardCharsets.UTF_8).equalsIgnoreCase("group")) return argv[i + 1];
        }
        return null;
    }

    /**
     * XREAD's "$" ids (entries after the last one now) made concrete with {@code lastId}, so
     * that the command means the same when it is sent again later; others unchanged.
     */
    public static byte[][] withLastIdsResolved(byte[][] argv, Function<byte[], String> lastId) {
        if (!new String(argv[0], StandardCharsets.UTF_8).equalsIgnoreCase("xread")) return argv;
        byte[][] out = argv.clone();
        for (int i = 1; i < argv.length; i++) {
            if (!new String(argv[i], StandardCharsets.UTF_8).equalsIgnoreCase("streams")) continue;
            int half = (argv.length - i - 1) / 2;
            for (int k = 0; k < half; k++) {
                int idAt = i + 1 + half + k;
                if (new String(argv[idAt], StandardCharsets.UTF_8).equals("$")) {
                    out[idAt] = lastId.apply(argv[i + 1 + k]).getBytes(StandardCharsets.US_ASCII);
                }
            }
            break;
        }
        return out;
    }

    private static BlockingCommand of(List<byte[]> keys, String type, byte[] timeout, Resp timeoutReply) {
        double seconds = Double.parseDouble(new String(timeout, StandardCharsets.US_ASCII));
        if (!(seconds >= 0) || Double.isInfinite(seconds)) return null;
        return new BlockingCommand(keys, type, (long) Math.ceil(seconds * 1000), timeoutReply, null);
    }
}
