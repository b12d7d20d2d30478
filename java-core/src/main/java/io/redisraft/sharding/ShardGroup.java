package io.redisraft.sharding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Raft cluster of a sharded keyspace: its id (the cluster's 32-character dbid), the
 * slots it serves and its nodes (40-character ids, the dbid followed by the node id in 8
 * hex digits, and host:port), the leader first when known. Written and read as RAFT.SHARDGROUP
 * ADD's arguments, which is also how the Raft log and snapshots carry it:
 * <pre>
 *   id num-ranges num-nodes (start end type migration-key)* (node-id host:port)*
 * </pre>
 * Pure logic.
 */
public record ShardGroup(String id, List<SlotRange> ranges, List<Node> nodes) {
    public static final int ID_LENGTH = 32;
    public static final int NODE_ID_LENGTH = 40;

    public record Node(String id, String address) {}

    public ShardGroup {
        ranges = List.copyOf(ranges);
        nodes = List.copyOf(nodes);
    }

    public ShardGroup withNodes(List<Node> newNodes) {
        return new ShardGroup(id, ranges, newNodes);
    }

    /** The range holding {@code slot}, or null. */
    public SlotRange rangeOf(int slot) {
        for (SlotRange r : ranges) {
            if (r.contains(slot)) return r;
        }
        return null;
    }

    /** This group as ADD's arguments. */
    public List<String> toArgs() {
        List<String> out = new ArrayList<>();
        out.add(id);
        out.add(Integer.toString(ranges.size()));
        out.add(Integer.toString(nodes.size()));
        for (SlotRange r : ranges) {
            out.add(Integer.toString(r.start()));
            out.add(Integer.toString(r.end()));
            out.add(Integer.toString(r.type().code));
            out.add(Long.toString(r.migrationKey()));
        }
        for (Node n : nodes) {
            out.add(n.id());
            out.add(n.address());
        }
        return out;
    }

    /** A group parsed from {@code args} at {@code from}, and how many arguments it took. */
    public record Parsed(ShardGroup group, int used) {}

    /**
     * Parses one group; {@code argvBase} is the index of {@code args[from]} in the command,
     * for error messages that name it (RedisRaft's).
     */
    public static Parsed parse(List<String> args, int from, int argvBase) throws ShardGroupSyntaxException {
        if (args.size() - from < 3) throw ShardGroupSyntaxException.arityError();
        int at = from;
        String id = args.get(at);
        if (id.length() != ID_LENGTH) {
            throw ShardGroupSyntaxException.error("ERR shard group id must be " + ID_LENGTH + " characters (argv["
                    + (argvBase + at - from) + "])");
        }
        at++;
        long numRanges = number(args.get(at), "ERR failed to parse number of slots (argv[" + (argvBase + at - from) + "])");
        at++;
        long numNodes = number(args.get(at), "ERR failed to parse number of nodes (argv[" + (argvBase + at - from) + "])");
        at++;
        if (numRanges < 0 || numNodes < 0 || 3 + numRanges * 4 + numNodes * 2 > args.size() - from) {
            throw ShardGroupSyntaxException.arityError();
        }
        List<SlotRange> ranges = new ArrayList<>();
        for (long i = 0; i < numRanges; i++) {
            int first = argvBase + at - from;
            String problem = "ERR failed to parse slot range (argv[" + first + "]:argv[" + (first + 3) + "])";
            long start = number(args.get(at++), problem);
            long end = number(args.get(at++), problem);
            SlotRange.Type type = SlotRange.Type.of(number(args.get(at++), problem));
            long key = number(args.get(at++), problem);
            if (!HashSlots.valid(start) || !HashSlots.valid(end) || start > end || type == null || key < 0) {
                throw ShardGroupSyntaxException.error(problem);
            }
            ranges.add(new SlotRange((int) start, (int) end, type, key));
        }
        List<Node> nodes = new ArrayList<>();
        for (long i = 0; i < numNodes; i++) {
            String nodeId = args.get(at);
            if (nodeId.length() != NODE_ID_LENGTH) {
                throw ShardGroupSyntaxException.error("ERR node id must be " + NODE_ID_LENGTH + " characters (argv["
                        + (argvBase + at - from) + "])");
            }
            at++;
            String address = args.get(at).trim();
            if (!validAddress(address)) {
                throw ShardGroupSyntaxException.error("ERR failed to parse node address (argv[" + (argvBase + at - from)
                        + "])");
            }
            at++;
            nodes.add(new Node(nodeId.toLowerCase(Locale.ROOT), address));
        }
        return new Parsed(new ShardGroup(id.toLowerCase(Locale.ROOT), ranges, nodes), at - from);
    }

    /**
     * RAFT.SHARDGROUP REPLACE's arguments after the subcommand: a count, then that many
     * groups, nothing after them.
     */
    public static List<ShardGroup> parseAll(List<String> args, int argvBase) throws ShardGroupSyntaxException {
        if (args.isEmpty()) throw ShardGroupSyntaxException.arityError();
        long count;
        try {
            count = Long.parseLong(args.get(0));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0 || count >= HashSlots.COUNT) throw ShardGroupSyntaxException.error("ERR invalid shard group message(1)");
        List<ShardGroup> groups = new ArrayList<>();
        int at = 1;
        for (long i = 0; i < count; i++) {
            Parsed p = parse(args, at, argvBase + at);
            groups.add(p.group());
            at += p.used();
        }
        if (at != args.size()) throw ShardGroupSyntaxException.error("ERR invalid shard group message (extra arguments)");
        return groups;
    }

    private static long number(String s, String problem) throws ShardGroupSyntaxException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw ShardGroupSyntaxException.error(problem);
        }
    }

    private static boolean validAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) return false;
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
