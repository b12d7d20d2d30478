package io.redisraft.blocking;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a blocking command waits for: the keys it pops from, the type they must hold,
 * how long it waits (0: for ever) and what it answers when the time is up. Pure logic.
 */
public record BlockingCommand(List<byte[]> keys, String type, long timeoutMs, Resp timeoutReply) {
    private static final Set<String> LIST_POPS = Set.of("blpop", "brpop", "brpoplpush", "blmove", "blmpop");
    private static final Set<String> ZSET_POPS = Set.of("bzpopmin", "bzpopmax", "bzmpop");
    private static final Resp NULL_ARRAY = new Resp.Array(null);

    /** Whether {@code name} (lower case) is one of the blocking pops. */
    public static boolean isBlocking(String name) {
        return LIST_POPS.contains(name) || ZSET_POPS.contains(name);
    }

    /**
     * The blocking command of {@code argv}, or null if it is not one or is malformed (Redis
     * then answers its own error when it runs, without waiting).
     */
    public static BlockingCommand parse(byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        if (!isBlocking(name)) return null;
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
                    return of(new ArrayList<>(Arrays.asList(argv).subList(3, 3 + count)), type, argv[1], NULL_ARRAY);
                }
                default: // blpop, brpop, bzpopmin, bzpopmax: keys..., timeout
                    if (n < 3) return null;
                    return of(new ArrayList<>(Arrays.asList(argv).subList(1, n - 1)), type, argv[n - 1], NULL_ARRAY);
            }
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BlockingCommand of(List<byte[]> keys, String type, byte[] timeout, Resp timeoutReply) {
        double seconds = Double.parseDouble(new String(timeout, StandardCharsets.US_ASCII));
        if (!(seconds >= 0) || Double.isInfinite(seconds)) return null;
        return new BlockingCommand(keys, type, (long) Math.ceil(seconds * 1000), timeoutReply);
    }
}
