package io.redisraft.sharding;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.expiry.Deadlines;
import io.redisraft.logging.RedisLog;
import io.redisraft.raft.ReplicatedMetadata;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This cluster's part of the sharded keyspace, kept the same on every node: the
 * {@link ShardMap}, the keys being moved out (locked) and, per migration session, the
 * highest import fence seen. Changes reach it only through entries of the Raft log,
 * applied in order (RAFT._SHARDGROUPS, RAFT._KEYLOCKS, RAFT._IMPORT), and snapshots carry
 * it (see {@link #current}). Before any change, the cluster serves raft.slot-config alone.
 *
 * <p>Client commands on keys get, besides a prompt check on the node that takes them
 * ({@link #place}), a guard (RAFT._SLOT_GUARD) that every node runs just before the
 * unit: whether the slot is served here is decided where the unit is applied, on the
 * state all nodes share at that point of the log, so no write lands in a slot that moved
 * meanwhile. Main thread, except {@link #map}, which any thread may read.
 */
public final class ShardGroups implements ReplicatedMetadata {
    public static final String APPLY_COMMAND = "RAFT._SHARDGROUPS";
    public static final String GUARD_COMMAND = "RAFT._SLOT_GUARD";
    public static final String KEYLOCKS_COMMAND = "RAFT._KEYLOCKS";
    public static final String IMPORT_COMMAND = "RAFT._IMPORT";

    static final Resp CROSSSLOT = Resp.error("CROSSSLOT Keys in request don't hash to the same slot");
    static final Resp UNSERVED = Resp.error("CLUSTERDOWN Hash slot is not served");
    static final Resp TRYAGAIN = Resp.error("TRYAGAIN Multiple keys request during rehashing of slot");

    private final RaftConfig config;
    /** This cluster's id, or null while the node is not a member. */
    private final Supplier<String> dbid;
    /** Main thread: the state changed, so must what snapshots carry. */
    private final Runnable changed;
    /** Runs a command on this node (main thread). */
    private final Function<byte[][], Resp> redis;
    /** The map the log made, or null if no change was applied to the current dataset. */
    private volatile ShardMap applied;
    private volatile ShardMap initial;
    /** Keys (hex) being moved out: commands on them answer TRYAGAIN until they are gone. */
    private final Set<String> locked = new TreeSet<>();
    /** Per migration session: the highest fence of an import applied (an older importer is refused). */
    private final Map<Long, Long> fences = new TreeMap<>();

    public ShardGroups(RaftConfig config, Supplier<String> dbid, Runnable changed, Function<byte[][], Resp> redis) {
        this.config = config;
        this.dbid = dbid;
        this.changed = changed;
        this.redis = redis;
    }

    /** raft.sharding: keys are checked against the map and CLUSTER describes every group. */
    public boolean enabled() {
        return config.flag(ConfigOption.SHARDING);
    }

    public boolean external() {
        return config.flag(ConfigOption.EXTERNAL_SHARDING);
    }

    /** The current map, or null while this node belongs to no cluster. */
    public ShardMap map() {
        String id = dbid.get();
        if (id == null) return null;
        ShardMap m = applied;
        if (m != null && m.localId().equals(id)) return m;
        ShardMap start = initial;
        List<SlotRange> ranges = slotConfig();
        if (start == null || !start.localId().equals(id) || !start.local().ranges().equals(ranges)) {
            start = ShardMap.initial(id, ranges);
            initial = start;
        }
        return start;
    }

    private List<SlotRange> slotConfig() {
        try {
            return SlotRange.parseConfig(config.string(ConfigOption.SLOT_CONFIG));
        } catch (IllegalArgumentException e) {
            return List.of(); // refused by the option's check
        }
    }

    /** Main thread: whether a migration in progress locked {@code key}. */
    public boolean isLocked(byte[] key) {
        return locked.contains(hex(key));
    }

    // ---- The replicated state in snapshots ----

    private static final String MAP = "map=";
    private static final String LOCKED = "locked=";
    private static final String FENCES = "fences=";

    /** What snapshots carry: tab-separated sections, "" when nothing was ever changed. */
    @Override
    public String current() {
        ShardMap m = applied;
        if (m == null && locked.isEmpty() && fences.isEmpty()) return "";
        List<String> fenceList = new ArrayList<>();
        fences.forEach((session, fence) -> fenceList.add(session + ":" + fence));
        return MAP + (m == null ? "" : m.encode()) + "\t" + LOCKED + String.join(",", locked) + "\t" + FENCES
                + String.join(",", fenceList);
    }

    /** The dataset was replaced (a snapshot, or a new cluster): its state is {@code text} ("" for none). */
    @Override
    public void replaced(String text) {
        applied = null;
        locked.clear();
        fences.clear();
        String id = dbid.get();
        if (text == null || text.isEmpty() || id == null) return;
        try {
            for (String section : text.split("\t")) {
                if (section.startsWith(MAP) && section.length() > MAP.length()) {
                    applied = ShardMap.decode(id, section.substring(MAP.length()));
                } else if (section.startsWith(LOCKED) && section.length() > LOCKED.length()) {
                    locked.addAll(List.of(section.substring(LOCKED.length()).split(",")));
                } else if (section.startsWith(FENCES) && section.length() > FENCES.length()) {
                    for (String f : section.substring(FENCES.length()).split(",")) {
                        String[] kv = f.split(":");
                        fences.put(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
                    }
                }
            }
        } catch (ShardGroupSyntaxException | RuntimeException e) {
            RedisLog.warning("the snapshot's sharding state does not parse (" + e.getMessage() + "); this cluster "
                    + "serves raft.slot-config until the next change");
            applied = null;
            locked.clear();
            fences.clear();
        }
    }

    // ---- Entries of the log (main thread, applying) ----

    /**
     * RAFT._SHARDGROUPS, RAFT._SLOT_GUARD, RAFT._KEYLOCKS, RAFT._IMPORT: the reply of each.
     * {@code nowMs} is the applied entry's time.
     */
    public Resp internal(byte[][] argv, boolean applying, long nowMs) {
        String name = new String(argv[0], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        if (name.equals(GUARD_COMMAND)) return guard(argv);
        // Changes only ever come from the log.
        if (!applying) return Resp.error("ERR " + name + " changes the sharding state through the log only");
        return switch (name) {
            case APPLY_COMMAND -> change(argv);
            case KEYLOCKS_COMMAND -> keyLocks(argv);
            case IMPORT_COMMAND -> importKeys(argv, nowMs);
            default -> Resp.error("ERR unknown sharding command " + name);
        };
    }

    /** RAFT._SHARDGROUPS ADD|REPLACE|UPDATE args: every node reaches the same map, or refuses alike. */
    private Resp change(byte[][] argv) {
        List<String> args = texts(argv);
        ShardMap current = map();
        if (args.size() < 3 || current == null) return Resp.error("ERR malformed shard group change");
        String op = args.get(1).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(2, args.size());
        try {
            ShardMap next = switch (op) {
                case "add" -> current.add(single(rest));
                case "replace" -> current.replace(ShardGroup.parseAll(rest, 2));
                case "update" -> current.update(ShardGroup.parseAll(rest, 2));
                default -> throw ShardGroupSyntaxException.error("ERR malformed shard group change");
            };
            purgeNewlyImported(current, next);
            applied = next;
            forgetFinishedMoves(next);
            changed.run();
            return Resp.OK;
        } catch (ShardGroupSyntaxException e) {
            return Resp.error(e.getMessage());
        }
    }

    /**
     * Slots this cluster starts importing, having not served them, cannot hold keys of its
     * own: whatever is there (left by an import that was rolled back) is deleted, so it
     * cannot come back to life once the slot is moved here for real.
     */
    private void purgeNewlyImported(ShardMap before, ShardMap after) {
        Set<Integer> slots = new HashSet<>();
        for (SlotRange r : after.local().ranges()) {
            if (r.type() != SlotRange.Type.IMPORTING) continue;
            for (int s = r.start(); s <= r.end(); s++) {
                if (before.local().rangeOf(s) == null) slots.add(s);
            }
        }
        if (slots.isEmpty()) return;
        List<byte[]> doomed = new ArrayList<>();
        new SlotScan(redis).forEachKey(key -> {
            if (slots.contains(HashSlots.of(key))) doomed.add(key);
        });
        for (byte[] key : doomed) redis.apply(new byte[][] {bytes("DEL"), key});
        if (!doomed.isEmpty()) RedisLog.notice("deleted " + doomed.size() + " keys left in slots this cluster now imports");
    }

    /** Locks and fences of moves that are over (their slots no longer migrate or import here) are dropped. */
    private void forgetFinishedMoves(ShardMap map) {
        locked.removeIf(hex -> {
            int slot = HashSlots.of(HexFormat.of().parseHex(hex));
            return !(map.route(slot, false) instanceof ShardMap.Local l && l.type() == SlotRange.Type.MIGRATING);
        });
        Set<Long> sessions = new HashSet<>();
        for (SlotRange r : map.local().ranges()) {
            if (r.type() != SlotRange.Type.STABLE) sessions.add(r.migrationKey());
        }
        fences.keySet().retainAll(sessions);
    }

    private static ShardGroup single(List<String> args) throws ShardGroupSyntaxException {
        ShardGroup.Parsed p = ShardGroup.parse(args, 0, 2);
        if (p.used() != args.size()) throw ShardGroupSyntaxException.error("ERR invalid shard group message (extra arguments)");
        return p.group();
    }

    /**
     * RAFT._SLOT_GUARD slot asking key...: +OK if the keys may be used here now; else
     * MOVED, ASK, TRYAGAIN or CLUSTERDOWN, as Redis Cluster answers during a move: a slot
     * moving out serves its keys while they are all still here, sends clients that ask
     * for keys no longer (or never) here to the importing group, and TRYAGAIN for a mix
     * or for keys being moved; the importing group serves asking clients unless some of
     * their keys are still to come.
     */
    private Resp guard(byte[][] argv) {
        int slot = Integer.parseInt(new String(argv[1], StandardCharsets.US_ASCII));
        boolean asking = argv[2][0] == '1';
        ShardMap m = map();
        if (m == null) return UNSERVED;
        ShardMap.Route route = m.route(slot, asking);
        if (route instanceof ShardMap.Unserved) return UNSERVED;
        if (route instanceof ShardMap.Moved moved) return redirect("MOVED", slot, moved.group());
        SlotRange.Type type = ((ShardMap.Local) route).type();
        int existing = 0;
        int keys = argv.length - 3;
        for (int i = 3; i < argv.length; i++) {
            if (locked.contains(hex(argv[i]))) return TRYAGAIN;
            if (type != SlotRange.Type.STABLE && exists(argv[i])) existing++;
        }
        return switch (type) {
            case STABLE -> Resp.OK;
            case MIGRATING -> {
                if (existing == keys) yield Resp.OK;
                if (existing > 0) yield TRYAGAIN;
                ShardGroup importer = m.importer(slot);
                yield importer == null ? Resp.error("ERR no importing shard group to ask") : redirect("ASK", slot, importer);
            }
            case IMPORTING -> existing == keys || existing == 0 ? Resp.OK : TRYAGAIN;
        };
    }

    private static Resp redirect(String kind, int slot, ShardGroup to) {
        if (to.nodes().isEmpty()) return UNSERVED;
        return Resp.error(kind + " " + slot + " " + to.nodes().get(0).address());
    }

    private boolean exists(byte[] key) {
        return redis.apply(new byte[][] {bytes("EXISTS"), key}) instanceof Resp.Int i && i.value() > 0;
    }

    /** RAFT._KEYLOCKS LOCK|UNLOCK key...: keys of a migrating slot being moved out. */
    private Resp keyLocks(byte[][] argv) {
        if (argv.length < 3) return Resp.error("ERR malformed key locks");
        boolean lock = new String(argv[1], StandardCharsets.US_ASCII).equalsIgnoreCase("LOCK");
        ShardMap m = map();
        if (lock) {
            for (int i = 2; i < argv.length; i++) {
                int slot = HashSlots.of(argv[i]);
                if (!(m.route(slot, false) instanceof ShardMap.Local l && l.type() == SlotRange.Type.MIGRATING)) {
                    return Resp.error("ERR slot " + slot + " is not migrating out of this shard group");
                }
            }
        }
        for (int i = 2; i < argv.length; i++) {
            if (lock) locked.add(hex(argv[i]));
            else locked.remove(hex(argv[i]));
        }
        changed.run();
        return Resp.OK;
    }

    /**
     * RAFT._IMPORT fence session (key deadline payload)...: keys moved in, restored (replacing
     * what an earlier attempt left) if every key's slot is being imported in this session
     * and no importer with a higher fence came before. A deadline (ms since the epoch, 0 for
     * none) is set as every deadline is (expiry.Deadlines); a key past it is not restored.
     */
    private Resp importKeys(byte[][] argv, long nowMs) {
        if (argv.length < 3 || (argv.length - 3) % 3 != 0) return Resp.error("ERR malformed import");
        long fence = Long.parseLong(new String(argv[1], StandardCharsets.US_ASCII));
        long session = Long.parseLong(new String(argv[2], StandardCharsets.US_ASCII));
        ShardMap m = map();
        // RedisRaft's checks and replies, in its order.
        for (int i = 3; i < argv.length; i += 3) {
            SlotRange r = m.local().rangeOf(HashSlots.of(argv[i]));
            if (r == null || r.type() != SlotRange.Type.IMPORTING) return Resp.error("ERR not an importing slot");
            if (r.migrationKey() != session) return Resp.error("ERR invalid migration_session_key");
        }
        Long highest = fences.get(session);
        if (highest != null && fence < highest) return Resp.error("ERR invalid term");
        fences.put(session, fence);
        changed.run();
        for (int i = 3; i < argv.length; i += 3) {
            long deadline = Long.parseLong(new String(argv[i + 1], StandardCharsets.US_ASCII));
            Resp r;
            if (deadline == 0) {
                r = redis.apply(new byte[][] {bytes("RESTORE"), argv[i], bytes("0"), argv[i + 2], bytes("REPLACE")});
            } else {
                Deadlines.Rewritten restore = Deadlines.rewrite(new byte[][] {bytes("RESTORE"), argv[i], argv[i + 1],
                        argv[i + 2], bytes("REPLACE"), bytes("ABSTTL")}, nowMs);
                r = restore.past() ? redis.apply(new byte[][] {bytes("DEL"), argv[i]}) : redis.apply(restore.argv());
            }
            if (r.isError()) return r;
        }
        return Resp.OK;
    }

    /** The log command that makes a change: {@code op} then its arguments. */
    public static byte[][] change(String op, List<String> args) {
        List<byte[]> out = new ArrayList<>(args.size() + 2);
        out.add(bytes(APPLY_COMMAND));
        out.add(bytes(op));
        for (String a : args) out.add(bytes(a));
        return out.toArray(new byte[0][]);
    }

    // ---- Client commands (the node that takes them) ----

    /**
     * What happens to a client command: refused at once, or sent on with a guard (either may
     * be null); {@code slot} is its keys' slot, which a follower's redirection to its leader
     * names (0 without keys, or outside sharding).
     */
    public record Placement(Resp refusal, byte[][] guard, int slot) {
        static final Placement ANYWHERE = new Placement(null, null, 0);
    }

    /**
     * Where the keys of {@code commands} (a command, or a transaction's) are served: a
     * refusal (CROSSSLOT, MOVED to the group that serves them, CLUSTERDOWN), or the guard
     * the unit must start with. {@code keys} names a command's keys. Only with raft.sharding
     * and a keyspace divided between groups, as RedisRaft.
     */
    public Placement place(List<byte[][]> commands, boolean asking, Function<byte[][], List<byte[]>> keys) {
        if (!enabled()) return Placement.ANYWHERE;
        ShardMap m = map();
        if (m == null || !m.divided()) return Placement.ANYWHERE;
        int slot = -1;
        List<byte[]> all = new ArrayList<>();
        for (byte[][] command : commands) {
            for (byte[] key : keys.apply(command)) {
                int s = HashSlots.of(key);
                if (slot >= 0 && s != slot) return new Placement(CROSSSLOT, null, 0);
                slot = s;
                all.add(key);
            }
        }
        if (slot < 0) return Placement.ANYWHERE;
        ShardMap.Route route = m.route(slot, asking);
        if (route instanceof ShardMap.Unserved) return new Placement(UNSERVED, null, slot);
        if (route instanceof ShardMap.Moved moved) return new Placement(redirect("MOVED", slot, moved.group()), null, slot);
        byte[][] guard = new byte[all.size() + 3][];
        guard[0] = bytes(GUARD_COMMAND);
        guard[1] = bytes(Integer.toString(slot));
        guard[2] = bytes(asking ? "1" : "0");
        for (int i = 0; i < all.size(); i++) guard[i + 3] = all.get(i);
        return new Placement(null, guard, slot);
    }

    /** Command arguments as text (shard group descriptions are ASCII). */
    public static List<String> texts(byte[][] argv) {
        List<String> out = new ArrayList<>(argv.length);
        for (byte[] a : argv) out.add(new String(a, StandardCharsets.UTF_8));
        return out;
    }

    static String hex(byte[] key) {
        return HexFormat.of().formatHex(key);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
