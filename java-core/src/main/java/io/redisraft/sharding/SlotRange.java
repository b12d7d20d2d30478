package io.redisraft.sharding;

import java.util.ArrayList;
import java.util.List;

/**
 * Slots start..end (inclusive) of a shard group, as RAFT.SHARDGROUP names them: a type
 * (1 stable, 2 importing, 3 migrating, RedisRaft's numbers) and the key of the
 * migration session that moves them (0 when none). Pure logic.
 */
public record SlotRange(int start, int end, Type type, long migrationKey) {
    public enum Type {
        STABLE(1), IMPORTING(2), MIGRATING(3);

        public final int code;

        Type(int code) {
            this.code = code;
        }

        /** The type numbered {@code code}, or null. */
        public static Type of(long code) {
            for (Type t : values()) {
                if (t.code == code) return t;
            }
            return null;
        }
    }

    public SlotRange {
        if (!HashSlots.valid(start) || !HashSlots.valid(end) || start > end) {
            throw new IllegalArgumentException("bad slot range " + start + "-" + end);
        }
    }

    public boolean contains(int slot) {
        return start <= slot && slot <= end;
    }

    /**
     * raft.slot-config: "start:end" or "slot", several separated by commas; empty for none.
     * Throws IllegalArgumentException for anything else.
     */
    public static List<SlotRange> parseConfig(String value) {
        List<SlotRange> ranges = new ArrayList<>();
        if (value == null || value.isBlank()) return ranges;
        for (String part : value.split(",")) {
            String[] ends = part.trim().split(":", -1);
            if (ends.length > 2) throw new IllegalArgumentException("bad slot range '" + part + "'");
            try {
                int start = Integer.parseInt(ends[0].trim());
                int end = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : start;
                ranges.add(new SlotRange(start, end, Type.STABLE, 0));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad slot range '" + part + "'");
            }
        }
        return ranges;
    }
}
