package io.redisraft.sharding;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.logging.RedisLog;
import io.redisraft.raft.ReplicatedMetadata;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This cluster's view of the sharded keyspace ({@link ShardMap}), kept the same on every
 * node: changes reach it only as RAFT._SHARDGROUPS entries of the Raft log, applied in
 * order, and the map applied so far travels with each snapshot (see {@link #current}).
 * Before any change, the cluster serves raft.slot-config alone. Also decides, for
 * raft.sharding, whether a client command's keys are served here. Main thread, except
 * {@link #map}, which any thread may read.
 */
public final class ShardGroups implements ReplicatedMetadata {
    /** The command a change is logged as: RAFT._SHARDGROUPS ADD|REPLACE|UPDATE args (ADD's / REPLACE's syntax). */
    public static final String APPLY_COMMAND = "RAFT._SHARDGROUPS";

    static final Resp CROSSSLOT = Resp.error("CROSSSLOT Keys in request don't hash to the same slot");
    static final Resp UNSERVED = Resp.error("CLUSTERDOWN Hash slot is not served");

    private final RaftConfig config;
    /** This cluster's id, or null while the node is not a member. */
    private final Supplier<String> dbid;
    /** Main thread: the map changed, so must what snapshots carry. */
    private final Runnable changed;
    /** The map the log made, or null if no change was applied to the current dataset. */
    private volatile ShardMap applied;
    private volatile ShardMap initial;

    public ShardGroups(RaftConfig config, Supplier<String> dbid, Runnable changed) {
        this.config = config;
        this.dbid = dbid;
        this.changed = changed;
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

    // ---- The replicated state ----

    /** What a snapshot keeps of the map ("" when no change was applied). */
    @Override
    public String current() {
        ShardMap m = applied;
        return m == null ? "" : m.encode();
    }

    /** The dataset was replaced (a snapshot, or a new cluster): its map is {@code text} ("" for none). */
    @Override
    public void replaced(String text) {
        String id = dbid.get();
        if (text == null || text.isEmpty() || id == null) {
            applied = null;
            return;
        }
        try {
            applied = ShardMap.decode(id, text);
        } catch (ShardGroupSyntaxException | RuntimeException e) {
            RedisLog.warning("the snapshot's shard groups do not parse (" + e.getMessage() + "); this cluster serves "
                    + "raft.slot-config until the next change");
            applied = null;
        }
    }

    /**
     * Applies RAFT._SHARDGROUPS from the log: every node reaches the same map, or refuses
     * the change with the same error.
     */
    public Resp apply(byte[][] argv) {
        List<String> args = texts(argv);
        ShardMap current = map();
        if (args.size() < 3 || current == null) return Resp.error("ERR malformed shard group change");
        String op = args.get(1).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(2, args.size());
        try {
            ShardMap next = switch (op) {
                case "add" -> current.add(single(rest));
                case "replace" -> current.replace(ShardGroup.parseAll(rest, 2));
                case "update" -> current.updateNodes(single(rest));
                default -> throw ShardGroupSyntaxException.error("ERR malformed shard group change");
            };
            applied = next;
            changed.run();
            return Resp.OK;
        } catch (ShardGroupSyntaxException e) {
            return Resp.error(e.getMessage());
        }
    }

    private static ShardGroup single(List<String> args) throws ShardGroupSyntaxException {
        ShardGroup.Parsed p = ShardGroup.parse(args, 0, 2);
        if (p.used() != args.size()) throw ShardGroupSyntaxException.error("ERR invalid shard group message (extra arguments)");
        return p.group();
    }

    /** The log command that makes a change: {@code op} then its arguments. */
    public static byte[][] change(String op, List<String> args) {
        List<byte[]> out = new ArrayList<>(args.size() + 2);
        out.add(APPLY_COMMAND.getBytes(StandardCharsets.UTF_8));
        out.add(op.getBytes(StandardCharsets.UTF_8));
        for (String a : args) out.add(a.getBytes(StandardCharsets.UTF_8));
        return out.toArray(new byte[0][]);
    }

    // ---- Client commands ----

    /**
     * Null if the keys of {@code commands} (a command, or a transaction's) are served here;
     * otherwise the reply: CROSSSLOT, MOVED to the group that serves them, or CLUSTERDOWN.
     * {@code keys} names a command's keys. Only with raft.sharding and a keyspace divided
     * between groups, as RedisRaft.
     */
    public Resp misplaced(List<byte[][]> commands, boolean asking, Function<byte[][], List<byte[]>> keys) {
        if (!enabled()) return null;
        ShardMap m = map();
        if (m == null || !m.divided()) return null;
        int slot = -1;
        for (byte[][] command : commands) {
            for (byte[] key : keys.apply(command)) {
                int s = HashSlots.of(key);
                if (slot >= 0 && s != slot) return CROSSSLOT;
                slot = s;
            }
        }
        if (slot < 0) return null;
        ShardMap.Route route = m.route(slot, asking);
        if (route instanceof ShardMap.Unserved) return UNSERVED;
        if (route instanceof ShardMap.Moved moved) {
            List<ShardGroup.Node> nodes = moved.group().nodes();
            if (nodes.isEmpty()) return UNSERVED;
            return Resp.error("MOVED " + slot + " " + nodes.get(0).address());
        }
        return null;
    }

    /** Command arguments as text (shard group descriptions are ASCII). */
    public static List<String> texts(byte[][] argv) {
        List<String> out = new ArrayList<>(argv.length);
        for (byte[] a : argv) out.add(new String(a, StandardCharsets.UTF_8));
        return out;
    }
}
