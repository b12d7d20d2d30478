package io.redisraft.logging;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The module's log: lines go to Redis's own log (its logfile, or stdout), prefixed
 * "<raft>" by Redis, and are filtered by raft.loglevel. Usable from any thread.
 */
public final class RedisLog {
    public static final int DEBUG = 0;
    public static final int VERBOSE = 1;
    public static final int NOTICE = 2;
    public static final int WARNING = 3;

    /** Where log lines go: Redis's log (the shim), bound at boot. */
    public interface Sink {
        void line(int level, String line);
    }

    private static volatile Sink sink;
    private static volatile int threshold = NOTICE;

    private RedisLog() {}

    public static void bind(Sink s) {
        sink = s;
    }

    public static void setLevel(int level) {
        threshold = level;
    }

    public static boolean enabled(int level) {
        return level >= threshold;
    }

    public static void log(int level, String message) {
        if (!enabled(level)) return;
        Sink s = sink;
        // Redis truncates a log line at 1024 bytes: send long messages line by line.
        for (String line : message.split("\n")) {
            if (line.isBlank()) continue;
            if (s != null) s.line(level, line);
            else System.err.println("<raft> " + line);
        }
    }

    public static void debug(String message) {
        log(DEBUG, message);
    }

    public static void verbose(String message) {
        log(VERBOSE, message);
    }

    public static void notice(String message) {
        log(NOTICE, message);
    }

    public static void warning(String message) {
        log(WARNING, message);
    }

    /** A throwable with its stack trace, for a log message. */
    public static String describe(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
