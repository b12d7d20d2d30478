package io.redisraft.sharding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which shard group serves each hash slot: this cluster's group (id {@link #localId})
 * and the others it knows. Immutable; every change makes a new map after checking it as
 * RedisRaft does, so that the same changes applied from the Raft log give the same map
 * on every node. Pure logic.
 */
public final class ShardMap {
    private static final String INVALID_UPDATE = "ERR Invalid ShardGroup Update";

    private final String localId;
    /** Sorted by id: the order CLUSTER replies list groups in, the same on every node. */
    private final List<ShardGroup> groups;
    private final ShardGroup[] stable = new ShardGroup[HashSlots.COUNT];
    private final ShardGroup[] importing = new ShardGroup[HashSlots.COUNT];
    private final ShardGroup[] migrating = new ShardGroup[HashSlots.COUNT];

    private ShardMap(String localId, List<ShardGroup> groups) throws ShardGroupSyntaxException {
        this.localId = localId;
        List<ShardGroup> sorted = new ArrayList<>(groups);
        sorted.sort(Comparator.comparing(ShardGroup::id));
        this.groups = List.copyOf(sorted);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw ShardGroupSyntaxException.error("ERR Unable to validate shard groups: shard group "
                        + sorted.get(i).id() + " is given twice");
            }
        }
        for (ShardGroup g : this.groups) {
            for (SlotRange r : g.ranges()) {
                for (int s = r.start(); s <= r.end(); s++) claim(g, r.type(), s);
            }
        }
    }

    private void claim(ShardGroup g, SlotRange.Type type, int slot) throws ShardGroupSyntaxException {
        String problem = "ERR Unable to validate shard groups: ";
        if (stable[slot] != null) throw ShardGroupSyntaxException.error(problem + "shard group already owns this slot");
        switch (type) {
            case STABLE -> {
                if (importing[slot] != null || migrating[slot] != null) {
                    throw ShardGroupSyntaxException.error(problem + "slot marked for resharding");
                }
                stable[slot] = g;
            }
            case IMPORTING -> {
                if (importing[slot] != null) {
                    throw ShardGroupSyntaxException.error(problem + "shard group already importing this slot");
                }
                importing[slot] = g;
            }
            case MIGRATING -> {
                if (migrating[slot] != null) {
                    throw ShardGroupSyntaxException.error(problem + "shard group already migrating this slot");
                }
                migrating[slot] = g;
            }
        }
    }

    /** Before any change: this cluster alone, serving {@code ranges} (raft.slot-config). */
    public static ShardMap initial(String localId, List<SlotRange> ranges) {
        try {
            return new ShardMap(localId, List.of(new ShardGroup(localId, ranges, List.of())));
        } catch (ShardGroupSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public String localId() {
        return localId;
    }

    public List<ShardGroup> groups() {
        return groups;
    }

    public ShardGroup local() {
        return group(localId);
    }

    /** The group with this id, or null. */
    public ShardGroup group(String id) {
        for (ShardGroup g : groups) {
            if (g.id().equals(id)) return g;
        }
        return null;
    }

    /** Whether this is more than one cluster owning every slot (RedisRaft's "is sharding"). */
    public boolean divided() {
        if (groups.size() != 1) return true;
        List<SlotRange> r = groups.get(0).ranges();
        return !(groups.get(0).id().equals(localId) && r.size() == 1 && r.get(0).start() == 0
                && r.get(0).end() == HashSlots.MAX && r.get(0).type() == SlotRange.Type.STABLE);
    }

    // ---- Changes (RAFT.SHARDGROUP ADD / REPLACE, and LINK's refreshes) ----

    /**
     * ADD: a group not known yet, whose slots no group serves. The error replies are
     * RedisRaft's (a known id is refused when the entry is applied there).
     */
    public ShardMap add(ShardGroup g) throws ShardGroupSyntaxException {
        if (group(g.id()) != null) throw ShardGroupSyntaxException.error(INVALID_UPDATE);
        for (SlotRange r : g.ranges()) {
            for (int s = r.start(); s <= r.end(); s++) {
                boolean taken = stable[s] != null
                        || (r.type() == SlotRange.Type.MIGRATING && migrating[s] != null)
                        || (r.type() == SlotRange.Type.IMPORTING && importing[s] != null);
                if (taken) {
                    throw ShardGroupSyntaxException.error(
                            "ERR invalid shardgroup configuration. Consult the logs for more info.");
                }
            }
        }
        List<ShardGroup> next = new ArrayList<>(groups);
        next.add(g);
        return new ShardMap(localId, next);
    }

    /** REPLACE: the whole configuration, which must describe this cluster too. */
    public ShardMap replace(List<ShardGroup> all) throws ShardGroupSyntaxException {
        ShardMap next = new ShardMap(localId, all);
        if (next.local() == null) {
            throw ShardGroupSyntaxException.error("ERR Unable to validate shard groups: no shard group is this cluster ("
                    + localId + ")");
        }
        return next;
    }

    /**
     * Other groups as they describe themselves (LINK, refreshes): each replaces the known
     * group of its id, slots and nodes; this cluster's own group stays as it is.
     */
    public ShardMap update(List<ShardGroup> reported) throws ShardGroupSyntaxException {
        List<ShardGroup> next = new ArrayList<>(groups);
        for (ShardGroup g : reported) {
            ShardGroup known = group(g.id());
            if (known == null || g.id().equals(localId)) throw ShardGroupSyntaxException.error(INVALID_UPDATE);
            next.set(next.indexOf(known), g);
        }
        return new ShardMap(localId, next);
    }

    // ---- Moving slots ----

    /** The groups with {@code start..end} marked as moving from this cluster to {@code target} in {@code session}. */
    public List<ShardGroup> moving(int start, int end, String target, long session) {
        return withRanges(start, end, SlotRange.Type.MIGRATING, target, SlotRange.Type.IMPORTING, session);
    }

    /** The groups once {@code start..end} moved from this cluster to {@code target}. */
    public List<ShardGroup> moved(int start, int end, String target) {
        return withRanges(start, end, null, target, SlotRange.Type.STABLE, 0);
    }

    private List<ShardGroup> withRanges(int start, int end, SlotRange.Type localType, String target,
                                        SlotRange.Type targetType, long session) {
        List<ShardGroup> out = new ArrayList<>();
        for (ShardGroup g : groups) {
            if (g.id().equals(localId)) {
                out.add(new ShardGroup(g.id(), rebuild(g.ranges(), start, end, localType, session), g.nodes()));
            } else if (g.id().equals(target)) {
                out.add(new ShardGroup(g.id(), rebuild(g.ranges(), start, end, targetType, session), g.nodes()));
            } else {
                out.add(g);
            }
        }
        return out;
    }

    /** {@code ranges} with start..end set to {@code type} (null: removed), merged into the fewest ranges. */
    static List<SlotRange> rebuild(List<SlotRange> ranges, int start, int end, SlotRange.Type type, long session) {
        SlotRange.Type[] types = new SlotRange.Type[HashSlots.COUNT];
        long[] keys = new long[HashSlots.COUNT];
        for (SlotRange r : ranges) {
            for (int s = r.start(); s <= r.end(); s++) {
                types[s] = r.type();
                keys[s] = r.migrationKey();
            }
        }
        for (int s = start; s <= end; s++) {
            types[s] = type;
            keys[s] = type == null || type == SlotRange.Type.STABLE ? 0 : session;
        }
        List<SlotRange> out = new ArrayList<>();
        int s = 0;
        while (s < HashSlots.COUNT) {
            if (types[s] == null) {
                s++;
                continue;
            }
            int e = s;
            while (e + 1 < HashSlots.COUNT && types[e + 1] == types[s] && keys[e + 1] == keys[s]) e++;
            out.add(new SlotRange(s, e, types[s], keys[s]));
            s = e + 1;
        }
        return out;
    }

    // ---- Routing ----

    /** Where a command on keys of one slot goes. */
    public sealed interface Route {}

    /** This cluster serves the slot; {@code type} says how (a moving slot's keys need more checks). */
    public record Local(SlotRange.Type type) implements Route {}

    /** Another group serves it: redirect there. */
    public record Moved(ShardGroup group) implements Route {}

    /** No group serves it. */
    public record Unserved() implements Route {}

    /** RedisRaft's owner of a slot: the stable owner; else a migrating or (when asking) importing local group; else the migrating one. */
    public Route route(int slot, boolean asking) {
        ShardGroup owner = stable[slot];
        if (owner == null && migrating[slot] != null && migrating[slot].id().equals(localId)) owner = migrating[slot];
        if (owner == null && asking && importing[slot] != null && importing[slot].id().equals(localId)) {
            owner = importing[slot];
        }
        if (owner == null) owner = migrating[slot];
        if (owner == null) return new Unserved();
        if (!owner.id().equals(localId)) return new Moved(owner);
        return new Local(owner.rangeOf(slot) == null ? SlotRange.Type.STABLE : typeIn(owner, slot));
    }

    private static SlotRange.Type typeIn(ShardGroup g, int slot) {
        for (SlotRange r : g.ranges()) {
            if (r.contains(slot)) return r.type();
        }
        return SlotRange.Type.STABLE;
    }

    /** The group importing {@code slot}, or null. */
    public ShardGroup importer(int slot) {
        return importing[slot];
    }

    /** The group migrating {@code slot} out, or null. */
    public ShardGroup migrator(int slot) {
        return migrating[slot];
    }

    // ---- Encoding (the snapshot's copy) ----

    /** REPLACE's arguments for this map: a count, then each group. */
    public List<String> toArgs() {
        List<String> out = new ArrayList<>();
        out.add(Integer.toString(groups.size()));
        for (ShardGroup g : groups) out.addAll(g.toArgs());
        return out;
    }

    public String encode() {
        return String.join(" ", toArgs());
    }

    /** What {@link #encode} wrote, for cluster {@code localId}. */
    public static ShardMap decode(String localId, String text) throws ShardGroupSyntaxException {
        return new ShardMap(localId, ShardGroup.parseAll(Arrays.asList(text.trim().split(" +")), 0));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardMap m && m.localId.equals(localId) && m.groups.equals(groups);
    }

    @Override
    public int hashCode() {
        return groups.hashCode();
    }
}
