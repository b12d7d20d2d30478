package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Stream commands whose effect would differ between nodes, refused with a clear error:
 * XCLAIM / XAUTOCLAIM with a min-idle-time other than 0 (each node measures idle times
 * with its own clock when it applies the entry). Pure logic.
 */
public final class StreamRules {
    static final Resp IDLE_CLAIM = Resp.error("ERR XCLAIM and XAUTOCLAIM with a min-idle-time other than 0 are not "
            + "supported by the Raft module: each node would measure idle times with its own clock");

    private StreamRules() {}

    /** The error for a command that cannot run alike on every node, or null. */
    public static Resp refusal(byte[][] argv) {
        String name = lower(argv[0]);
        boolean claim = name.equals("xclaim") || name.equals("xautoclaim");
        return claim && argv.length > 4 && !isZero(argv[4]) ? IDLE_CLAIM : null;
    }

    private static boolean isZero(byte[] arg) {
        try {
            return Long.parseLong(new String(arg, StandardCharsets.US_ASCII)) == 0;
        } catch (NumberFormatException e) {
            return true; // Redis answers its own error
        }
    }

    private static String lower(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }
}
