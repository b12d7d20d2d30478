package io.redisraft.expiry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Key deadlines as the Raft log fixes them.
 *
 * <p>Redis computes a relative deadline ({@code EX 10}) from its own clock when it runs
 * the command, and deletes a key once its own clock passes the deadline, so two nodes
 * applying the same entry at different times (or one replaying its log after a
 * restart) would disagree. Here every command that sets a deadline is rewritten, on
 * every node, into an absolute one counted from the time the leader gave the entry,
 * and Redis stores it shifted by {@link #SHIFT_MS} -- far beyond any clock -- so Redis
 * never expires a key by itself. Keys expire when the log says so: a key whose logical
 * deadline (stored minus the shift) is before an entry's time is deleted when that
 * entry names it, on every node alike (done by the shim, expiry.c).
 *
 * <p>Pure logic: the rewriting and the replies of TTL, PTTL, EXPIRETIME and PEXPIRETIME.
 */
public final class Deadlines {
    /** Added to every deadline Redis stores (2^50 ms, about 35,700 years). */
    public static final long SHIFT_MS = 1L << 50;

    private static final byte[] PXAT = bytes("PXAT");
    private static final byte[] ABSTTL = bytes("ABSTTL");

    private Deadlines() {}

    /**
     * A command as rewritten: {@code argv} sets the same deadline absolute and shifted (or is
     * the original array, if the command sets none or its arguments are invalid: Redis then
     * refuses it the same way on every node); {@code past}: that deadline is not after
     * {@code nowMs}, so the key must go at once, as Redis does.
     */
    public record Rewritten(byte[][] argv, boolean past) {
        static Rewritten unchanged(byte[][] argv) {
            return new Rewritten(argv, false);
        }
    }

    /** The command with every deadline it sets made absolute (from {@code nowMs}) and shifted. */
    public static Rewritten rewrite(byte[][] argv, long nowMs) {
        if (argv.length < 2) return Rewritten.unchanged(argv);
        return switch (lower(argv[0])) {
            case "set" -> rewriteOption(argv, 3, nowMs);
            case "getex" -> rewriteOption(argv, 2, nowMs);
            case "setex" -> setex(argv, nowMs, 1000);
            case "psetex" -> setex(argv, nowMs, 1);
            case "expire" -> expire(argv, nowMs, 1000, false);
            case "pexpire" -> expire(argv, nowMs, 1, false);
            case "expireat" -> expire(argv, nowMs, 1000, true);
            case "pexpireat" -> expire(argv, nowMs, 1, true);
            case "restore" -> restore(argv, nowMs);
            default -> Rewritten.unchanged(argv);
        };
    }

    /** The value Redis stores for a logical deadline. */
    public static long stored(long deadlineMs) {
        return deadlineMs > Long.MAX_VALUE - SHIFT_MS ? Long.MAX_VALUE : deadlineMs + SHIFT_MS;
    }

    /** TTL-family commands whose replies {@link #ttlReply} computes. */
    public enum TtlQuery {
        TTL(false, false), PTTL(true, false), EXPIRETIME(false, true), PEXPIRETIME(true, true);

        final boolean millis;
        final boolean absolute;

        TtlQuery(boolean millis, boolean absolute) {
            this.millis = millis;
            this.absolute = absolute;
        }

        public static TtlQuery of(byte[] name) {
            try {
                return valueOf(new String(name, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /**
     * The reply of a TTL-family command, as Redis gives it, from the raw PEXPIRETIME
     * of the key (-2: no key, -1: no deadline, else the stored deadline) at {@code nowMs}.
     */
    public static long ttlReply(TtlQuery query, long storedOrCode, long nowMs) {
        if (storedOrCode < 0) return storedOrCode;
        long deadline = storedOrCode - SHIFT_MS;
        long ttl = Math.max(0, query.absolute ? deadline : deadline - nowMs);
        return query.millis ? ttl : (ttl + 500) / 1000;
    }

    // ---- Rewriting ----

    /** SET / GETEX: exactly one of EX, PX, EXAT, PXAT among the options from {@code first}. */
    private static Rewritten rewriteOption(byte[][] argv, int first, long nowMs) {
        int at = -1;
        for (int i = first; i < argv.length; i++) {
            String option = lower(argv[i]);
            if (option.equals("ex") || option.equals("px") || option.equals("exat") || option.equals("pxat")) {
                if (at >= 0 || i + 1 >= argv.length) return Rewritten.unchanged(argv);
                at = i;
                i++;
            }
        }
        if (at < 0) return Rewritten.unchanged(argv);
        Long value = parse(argv[at + 1]);
        if (value == null || value <= 0) return Rewritten.unchanged(argv);
        String option = lower(argv[at]);
        boolean seconds = option.equals("ex") || option.equals("exat");
        boolean relative = option.equals("ex") || option.equals("px");
        Long deadline = deadline(value, seconds ? 1000 : 1, relative ? nowMs : 0);
        if (deadline == null) return Rewritten.unchanged(argv);
        byte[][] out = argv.clone();
        out[at] = PXAT;
        out[at + 1] = number(stored(deadline));
        return new Rewritten(out, deadline <= nowMs);
    }

    /** SETEX key seconds value / PSETEX key ms value: SET key value PXAT stored. */
    private static Rewritten setex(byte[][] argv, long nowMs, long unit) {
        if (argv.length != 4) return Rewritten.unchanged(argv);
        Long value = parse(argv[2]);
        if (value == null || value <= 0) return Rewritten.unchanged(argv);
        Long deadline = deadline(value, unit, nowMs);
        if (deadline == null) return Rewritten.unchanged(argv);
        return new Rewritten(new byte[][] {bytes("SET"), argv[1], argv[3], PXAT, number(stored(deadline))}, false);
    }

    /** EXPIRE key n [NX|XX|GT|LT] and the like: PEXPIREAT key stored [flags]. */
    private static Rewritten expire(byte[][] argv, long nowMs, long unit, boolean absolute) {
        if (argv.length < 3) return Rewritten.unchanged(argv);
        Long value = parse(argv[2]);
        if (value == null) return Rewritten.unchanged(argv);
        Long deadline = deadline(value, unit, absolute ? 0 : nowMs);
        if (deadline == null) return Rewritten.unchanged(argv);
        byte[][] out = argv.clone();
        out[0] = bytes("PEXPIREAT");
        out[2] = number(stored(deadline));
        return new Rewritten(out, deadline <= nowMs);
    }

    /** RESTORE key ttl payload [REPLACE] [ABSTTL] ...: a non-zero ttl becomes an absolute, shifted one. */
    private static Rewritten restore(byte[][] argv, long nowMs) {
        if (argv.length < 4) return Rewritten.unchanged(argv);
        Long ttl = parse(argv[2]);
        if (ttl == null || ttl <= 0) return Rewritten.unchanged(argv);
        boolean absolute = false;
        for (int i = 4; i < argv.length; i++) absolute |= lower(argv[i]).equals("absttl");
        Long deadline = deadline(ttl, 1, absolute ? 0 : nowMs);
        if (deadline == null) return Rewritten.unchanged(argv);
        List<byte[]> out = new ArrayList<>(Arrays.asList(argv));
        out.set(2, number(stored(deadline)));
        if (!absolute) out.add(ABSTTL);
        return new Rewritten(out.toArray(new byte[0][]), deadline <= nowMs);
    }

    /** base + value * unit, or null where Redis would refuse the value as out of range. */
    private static Long deadline(long value, long unit, long base) {
        if (unit > 1 && (value > Long.MAX_VALUE / unit || value < Long.MIN_VALUE / unit)) return null;
        long ms = value * unit;
        if (base > 0 && ms > Long.MAX_VALUE - base) return null;
        return base + ms;
    }

    /** An integer as Redis reads it (no sign but '-', no leading zeros, no spaces), or null. */
    static Long parse(byte[] arg) {
        String s = new String(arg, StandardCharsets.UTF_8);
        if (s.isEmpty() || s.length() > 20) return null;
        int digits = s.charAt(0) == '-' ? 1 : 0;
        if (digits == s.length() || (s.charAt(digits) == '0' && s.length() > digits + 1)) return null;
        if (s.equals("-0")) return null;
        for (int i = digits; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String lower(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] number(long v) {
        return bytes(Long.toString(v));
    }
}
