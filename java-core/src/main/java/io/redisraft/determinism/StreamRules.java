package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Stream commands whose effect would differ between nodes, refused with a clear error:
 * XCLAIM / XAUTOCLAIM with a min-idle-time other than 0 (each node measures idle times
 * with its own clock when it applies the entry), and XREAD / XREADGROUP with BLOCK (not
 * supported yet: they would return at once). Pure logic.
 */
public final class StreamRules {
    static final Resp IDLE_CLAIM = Resp.error("ERR XCLAIM and XAUTOCLAIM with a min-idle-time other than 0 are not "
            + "supported by the Raft module: each node would measure idle times with its own clock");
    static final Resp BLOCKING_READ = Resp.error("ERR XREAD and XREADGROUP with BLOCK are not supported by the "
            + "Raft module yet");

    private StreamRules() {}

    /** The error for a command that cannot run alike on every node, or null. */
    public static Resp refusal(byte[][] argv) {
        String name = lower(argv[0]);
        switch (name) {
            case "xclaim":
            case "xautoclaim":
                return argv.length > 4 && !isZero(argv[4]) ? IDLE_CLAIM : null;
            case "xread":
            case "xreadgroup":
                for (int i = 1; i < argv.length; i++) {
                    String arg = lower(argv[i]);
                    if (arg.equals("streams")) return null;
                    if (arg.equals("block")) return BLOCKING_READ;
                }
                return null;
            default:
                return null;
        }
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
