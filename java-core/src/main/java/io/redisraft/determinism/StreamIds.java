package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * XADD with the same entry id on every node. Redis makes an id of "*" from its own clock;
 * here it becomes "ms-*" with ms the applied entry's time, or the stream's last id's time
 * if that is later (as Redis does when its clock is behind; the next millisecond once that
 * one's sequence is used up), so Redis picks the sequence from the stream alone. Explicit
 * ids and "ms-*" are already the same everywhere.
 */
public final class StreamIds {
    private final Function<byte[][], Resp> redis;

    /** {@code redis} runs a command locally (in the caller's database) and returns its reply. */
    public StreamIds(Function<byte[][], Resp> redis) {
        this.redis = redis;
    }

    /** XADD with "*" replaced by an id fixed from {@code entryTimeMs}; other commands unchanged. */
    public byte[][] fixed(byte[][] argv, long entryTimeMs) {
        int idAt = idPosition(argv);
        if (idAt < 0 || !new String(argv[idAt], StandardCharsets.US_ASCII).equals("*")) return argv;
        String id = idAfter(lastGeneratedId(redis, argv[1]), entryTimeMs);
        if (id == null) return argv;
        byte[][] out = argv.clone();
        out[idAt] = id.getBytes(StandardCharsets.US_ASCII);
        return out;
    }

    /**
     * What "*" stands for after stream id {@code last} (parts unsigned, as Redis has them) at
     * {@code nowMs}: "now-*" if now is later; else "last.ms-*" (Redis takes the next sequence),
     * or "(last.ms+1)-*" once the sequence is exhausted; null when even the time is
     * (Redis then answers its own error, the same everywhere).
     */
    static String idAfter(String last, long nowMs) {
        int dash = last.indexOf('-');
        long ms = Long.parseUnsignedLong(last.substring(0, dash));
        long seq = Long.parseUnsignedLong(last.substring(dash + 1));
        if (Long.compareUnsigned(nowMs, ms) > 0) return nowMs + "-*";
        if (seq != -1L) return Long.toUnsignedString(ms) + "-*";
        return ms == -1L ? null : Long.toUnsignedString(ms + 1) + "-*";
    }

    /**
     * Where XADD's id is: after the key and the options NOMKSTREAM, MAXLEN|MINID [=|~]
     * threshold [LIMIT count]; -1 if this is not an XADD or it is malformed (Redis answers).
     */
    static int idPosition(byte[][] argv) {
        if (argv.length < 3 || !lower(argv[0]).equals("xadd")) return -1;
        int i = 2;
        while (i < argv.length) {
            String arg = lower(argv[i]);
            if (arg.equals("nomkstream")) {
                i++;
            } else if (arg.equals("maxlen") || arg.equals("minid")) {
                i++;
                if (i < argv.length && (lower(argv[i]).equals("=") || lower(argv[i]).equals("~"))) i++;
                i++; // threshold
                if (i < argv.length && lower(argv[i]).equals("limit")) i += 2;
            } else {
                return i;
            }
        }
        return -1;
    }

    /**
     * A stream's last generated id ("0-0" if there is no stream): what XADD continues from
     * and XREAD's "$" stands for. {@code redis} runs a command where the key is.
     */
    public static String lastGeneratedId(Function<byte[][], Resp> redis, byte[] key) {
        Resp info = redis.apply(new byte[][] {bytes("XINFO"), bytes("STREAM"), key});
        if (info instanceof Resp.Array a && a.items() != null) {
            List<Resp> fields = a.items();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("last-generated-id".equals(fields.get(i).asText())) return fields.get(i + 1).asText();
            }
        }
        return "0-0";
    }

    private static String lower(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
