package io.redisraft.logging;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Sends everything Java prints into Redis's log: Ratis logs through slf4j-simple,
 * which is told to write to System.out, and System.out/System.err are replaced by
 * streams that turn each line into a {@link RedisLog} line. Lines from Ratis are
 * prefixed "ratis:" and mapped to Redis levels (ERROR/WARN: warning, INFO: verbose,
 * DEBUG/TRACE: debug), so raft.loglevel filters them like the module's own lines.
 */
public final class LogRouting {
    private static final String SIMPLE = "org.slf4j.simpleLogger.";

    private LogRouting() {}

    /** Must run before anything touches slf4j; {@code traces} (raft.trace bits) show Ratis debug output per part. */
    public static void install(long traces, boolean debugLevel) {
        System.setProperty(SIMPLE + "logFile", "System.out");
        System.setProperty(SIMPLE + "defaultLogLevel", "info");
        System.setProperty(SIMPLE + "levelInBrackets", "true");
        System.setProperty(SIMPLE + "showShortLogName", "true");
        System.setProperty(SIMPLE + "showThreadName", "false");
        System.setProperty(SIMPLE + "showDateTime", "false");
        System.setOut(new PrintStream(new LineStream(RedisLog.NOTICE), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new LineStream(RedisLog.WARNING), true, StandardCharsets.UTF_8));
        setTraces(traces, debugLevel);
    }

    /**
     * Applies raft.trace: the Ratis loggers of each enabled category log at debug level
     * (with raft.loglevel debug), all others at info. Loggers created later read the
     * per-logger properties set here; for those that exist, slf4j-simple has no API, so
     * their level field is set (if that is not possible, the change applies at the next start).
     */
    public static void setTraces(long traces, boolean debugLevel) {
        Trace.setEnabled(traces);
        List<String> debugged = new ArrayList<>();
        for (Trace t : Trace.values()) {
            boolean on = debugLevel && (traces & t.bit()) != 0;
            for (String prefix : t.ratisLoggers()) {
                System.setProperty(SIMPLE + "log." + prefix, on ? "debug" : "info");
                if (on) debugged.add(prefix);
            }
        }
        try {
            ILoggerFactory factory = LoggerFactory.getILoggerFactory();
            Field mapField = factory.getClass().getDeclaredField("loggerMap");
            mapField.setAccessible(true);
            Map<?, ?> loggers = (Map<?, ?>) mapField.get(factory);
            for (Map.Entry<?, ?> e : loggers.entrySet()) {
                String name = String.valueOf(e.getKey());
                boolean debug = debugged.stream().anyMatch(name::startsWith);
                Field level = e.getValue().getClass().getDeclaredField("currentLogLevel");
                level.setAccessible(true);
                level.setInt(e.getValue(), debug ? 10 : 20); // slf4j-simple: DEBUG = 10, INFO = 20
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.notice("raft.trace applies to existing Ratis loggers after a restart (" + e + ")");
        }
    }

    /** Turns bytes into log lines; a line without a "[LEVEL]" tag keeps the previous line's level. */
    private static final class LineStream extends OutputStream {
        private final int defaultLevel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private int continuationLevel;

        LineStream(int defaultLevel) {
            this.defaultLevel = defaultLevel;
            this.continuationLevel = defaultLevel;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') flushLine();
            else line.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8).stripTrailing();
            line.reset();
            if (text.isEmpty()) return;
            int level = continuationLevel;
            String message = text;
            if (text.startsWith("[")) {
                int end = text.indexOf("] ");
                Integer tagged = end > 0 ? levelOf(text.substring(1, end)) : null;
                if (tagged != null) {
                    level = tagged;
                    message = "ratis: " + text.substring(end + 2);
                }
            } else if (!Character.isWhitespace(text.charAt(0)) && !text.startsWith("Caused by")) {
                level = defaultLevel;
            }
            continuationLevel = level;
            RedisLog.log(level, message);
        }

        private static Integer levelOf(String tag) {
            return switch (tag) {
                case "ERROR", "WARN" -> RedisLog.WARNING;
                case "INFO" -> RedisLog.VERBOSE;
                case "DEBUG", "TRACE" -> RedisLog.DEBUG;
                default -> null;
            };
        }
    }
}
