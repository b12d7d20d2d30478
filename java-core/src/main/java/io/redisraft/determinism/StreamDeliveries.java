package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Delivery times of consumer groups, fixed at the applied entry's time. Redis stamps an
 * entry it delivers (XREADGROUP) or that is claimed (XCLAIM, XAUTOCLAIM) with its own
 * clock, and measures idle times from that stamp (XPENDING, XINFO, a claim's
 * min-idle-time): each node, and a node replaying its log, would keep its own. So while
 * an entry is applied, every node
 * <ul>
 *   <li>gives XCLAIM its delivery time explicitly: TIME of the entry, or IDLE counted
 *       back from it ({@link #claimAt});</li>
 *   <li>stamps again what XREADGROUP and XAUTOCLAIM delivered, with XCLAIM ... TIME JUSTID,
 *       which changes neither the owner nor the delivery count ({@link #restamp});</li>
 *   <li>runs a claim's min-idle-time (argument {@link #MIN_IDLE_ARG}) shifted by how far
 *       its clock is past the entry's time (the shim's rr_call_at_entry_time).</li>
 * </ul>
 * Pure logic.
 */
public final class StreamDeliveries {
    /** Position of XCLAIM's and XAUTOCLAIM's min-idle-time. */
    public static final int MIN_IDLE_ARG = 4;

    private static final Pattern STREAM_ID = Pattern.compile("\\d+(-\\d+)?");

    private StreamDeliveries() {}

    /** XREADGROUP without NOACK: what it delivers goes into the group's pending list. */
    public static boolean addsPending(byte[][] argv) {
        if (!lower(argv[0]).equals("xreadgroup")) return false;
        for (int i = 1; i < argv.length; i++) {
            String arg = lower(argv[i]);
            if (arg.equals("streams")) return true;
            if (arg.equals("noack")) return false;
        }
        return true;
    }

    /**
     * XCLAIM with its delivery time given as TIME, computed from the entry's time
     * {@code nowMs} as Redis computes it from its clock (IDLE counts back from now; a time
     * before 0 or after now becomes now). Unchanged if an option is malformed: Redis then
     * answers its error.
     */
    public static byte[][] claimAt(byte[][] argv, long nowMs) {
        int first = 5;
        while (first < argv.length && STREAM_ID.matcher(ascii(argv[first])).matches()) first++;
        List<byte[]> out = new ArrayList<>(List.of(argv).subList(0, first));
        long delivery = nowMs;
        for (int i = first; i < argv.length; i++) {
            String option = lower(argv[i]);
            boolean idle = option.equals("idle");
            if (idle || option.equals("time")) {
                if (i + 1 >= argv.length) return argv;
                Long value = parseLong(argv[++i]);
                if (value == null) return argv;
                delivery = idle ? nowMs - value : value;
            } else {
                out.add(argv[i]);
            }
        }
        if (delivery < 0 || delivery > nowMs) delivery = nowMs;
        out.add(bytes("TIME"));
        out.add(bytes(Long.toString(delivery)));
        return out.toArray(new byte[0][]);
    }

    /** The entries an XREADGROUP reply (RESP2) delivered, per stream; deleted entries (nil fields) are not. */
    public static List<Delivered> readByGroup(Resp reply) {
        List<Delivered> delivered = new ArrayList<>();
        if (!(reply instanceof Resp.Array streams) || streams.items() == null) return delivered;
        for (Resp stream : streams.items()) {
            List<Resp> pair = stream.asList();
            if (pair.size() != 2 || !(pair.get(0) instanceof Resp.Bulk key)) continue;
            List<byte[]> ids = new ArrayList<>();
            for (Resp entry : pair.get(1).asList()) {
                List<Resp> idAndFields = entry.asList();
                if (idAndFields.size() == 2 && idAndFields.get(1) instanceof Resp.Array fields && fields.items() != null
                        && idAndFields.get(0) instanceof Resp.Bulk id) {
                    ids.add(id.bytes());
                }
            }
            if (!ids.isEmpty()) delivered.add(new Delivered(key.bytes(), ids));
        }
        return delivered;
    }

    /** The entries an XAUTOCLAIM reply claimed (entries, or ids with JUSTID). */
    public static List<byte[]> autoClaimed(Resp reply) {
        List<byte[]> ids = new ArrayList<>();
        List<Resp> parts = reply instanceof Resp.Array a && a.items() != null ? a.items() : List.of();
        if (parts.size() < 2) return ids;
        for (Resp claimed : parts.get(1).asList()) {
            Resp id = claimed instanceof Resp.Array entry && entry.items() != null && !entry.items().isEmpty()
                    ? entry.items().get(0) : claimed;
            if (id instanceof Resp.Bulk b && b.bytes() != null) ids.add(b.bytes());
        }
        return ids;
    }

    /** XCLAIM key group consumer 0 ids... TIME nowMs JUSTID: the entries' delivery time becomes nowMs. */
    public static byte[][] restamp(byte[] key, byte[] group, byte[] consumer, List<byte[]> ids, long nowMs) {
        List<byte[]> argv = new ArrayList<>(List.of(bytes("XCLAIM"), key, group, consumer, bytes("0")));
        argv.addAll(ids);
        argv.addAll(List.of(bytes("TIME"), bytes(Long.toString(nowMs)), bytes("JUSTID")));
        return argv.toArray(new byte[0][]);
    }

    /** XREADGROUP's group and consumer (after GROUP), or null. */
    public static byte[][] groupAndConsumer(byte[][] argv) {
        for (int i = 1; i + 2 < argv.length; i++) {
            if (lower(argv[i]).equals("group")) return new byte[][] {argv[i + 1], argv[i + 2]};
        }
        return null;
    }

    /** An XREAD / XREADGROUP reply as RESP3 has it: a map from stream to entries (RESP2: pairs). */
    public static Resp asResp3(Resp reply) {
        if (!(reply instanceof Resp.Array streams) || streams.items() == null) return reply;
        List<Resp> flat = new ArrayList<>();
        for (Resp stream : streams.items()) flat.addAll(stream.asList());
        return new Resp.Map(flat);
    }

    /** Entries of one stream. */
    public record Delivered(byte[] key, List<byte[]> ids) {}

    private static Long parseLong(byte[] arg) {
        try {
            return Long.parseLong(ascii(arg));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String lower(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
