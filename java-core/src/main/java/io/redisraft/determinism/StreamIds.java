package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * XADD with the same entry id on every node. Redis makes an id of "*" from its own clock;
 * here it becomes "ms-*" with ms the applied entry's time, or the stream's last id's time
 * if that is later (as Redis does when its clock is behind), so Redis picks the sequence
 * from the stream alone. Explicit ids and "ms-*" are already the same everywhere.
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
        String last = lastGeneratedId(redis, argv[1]);
        long ms = Math.max(entryTimeMs, Long.parseLong(last.substring(0, last.indexOf('-'))));
        byte[][] out = argv.clone();
        out[idAt] = (ms + "-*").getBytes(StandardCharsets.US_ASCII);
        return out;
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
