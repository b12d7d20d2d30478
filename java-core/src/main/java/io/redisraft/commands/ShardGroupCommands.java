package io.redisraft.commands;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.sharding.HashSlots;
import io.redisraft.sharding.LocalNodes;
import io.redisraft.sharding.ShardGroup;
import io.redisraft.sharding.ShardGroupSyntaxException;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.ShardLinks;
import io.redisraft.sharding.ShardMap;
import io.redisraft.sharding.SlotMover;
import io.redisraft.sharding.SlotRange;
import io.redisraft.sharding.SlotScan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * RAFT.SHARDGROUP GET | ADD | REPLACE | LINK, with RedisRaft's syntax and replies, and
 * MIGRATE start end host:port (this module's: moves slots to another group, see
 * sharding.SlotMover); RAFT.IMPORT, keys moved in by another group; RAFT.SCAN, the keys of
 * some slots. Changes are checked
 * here against the current map (for a prompt error), then logged and applied on every
 * node (sharding.ShardGroups), which answers the client. Leader only. Main thread.
 */
final class ShardGroupCommands {
    private final RedisApi redis;
    private final RaftConfig config;
    private final MainThread mainThread;
    private final RaftNode node;
    private final ShardGroups groups;
    private final ShardLinks links;
    private final SlotMover mover;
    private final LeaderWait leaderWait;

    ShardGroupCommands(RedisApi redis, RaftConfig config, MainThread mainThread, RaftNode node, ShardGroups groups,
                       ShardLinks links, SlotMover mover, LeaderWait leaderWait) {
        this.config = config;
        this.mover = mover;
        this.redis = redis;
        this.mainThread = mainThread;
        this.node = node;
        this.groups = groups;
        this.links = links;
        this.leaderWait = leaderWait;
    }

    Resp shardGroup(Caller caller, byte[][] argv) {
        if (argv.length < 2) return Errors.wrongArity("raft.shardgroup");
        if (!groups.enabled()) return Resp.error("ERR RedisRaft sharding not enabled");
        return leaderWait.run(caller, deferred -> shardGroup(caller, deferred, argv));
    }

    private Resp shardGroup(Caller caller, LeaderWait.Deferred deferred, byte[][] argv) {
        Resp refusal = node.refusal();
        if (refusal != null) return refusal;
        ShardMap map = groups.map();
        List<String> args = ShardGroups.texts(argv);
        try {
            switch (CommandTable.lower(argv[1])) {
                case "get":
                    return get(map);
                case "add": {
                    if (argv.length < 4) return Errors.wrongArity("raft.shardgroup");
                    ShardGroup.Parsed parsed = ShardGroup.parse(args, 2, 2);
                    map.add(parsed.group());
                    return log(caller, deferred.block(), "ADD", parsed.group().toArgs());
                }
                case "replace": {
                    if (argv.length < 4) return Errors.wrongArity("raft.shardgroup");
                    List<ShardGroup> all = ShardGroup.parseAll(args.subList(2, args.size()), 2);
                    map.replace(all);
                    List<String> change = new ArrayList<>(List.of(Integer.toString(all.size())));
                    for (ShardGroup g : all) change.addAll(g.toArgs());
                    return log(caller, deferred.block(), "REPLACE", change);
                }
                case "link":
                    if (argv.length != 3) return Errors.wrongArity("raft.shardgroup");
                    return link(caller, deferred.block(), args.get(2));
                case "migrate":
                    return migrate(deferred, args);
                default:
                    return Resp.error("RAFT.SHARDGROUP supports GET/ADD/REPLACE/LINK only");
            }
        } catch (ShardGroupSyntaxException e) {
            return e.isArityError() ? Errors.wrongArity("raft.shardgroup") : Resp.error(e.getMessage());
        }
    }

    /** MIGRATE start end host:port: moves the slots to the group that node belongs to. */
    private Resp migrate(LeaderWait.Deferred deferred, List<String> args) {
        if (args.size() != 5) return Errors.wrongArity("raft.shardgroup");
        int start;
        int end;
        try {
            start = Integer.parseInt(args.get(2));
            end = Integer.parseInt(args.get(3));
        } catch (NumberFormatException e) {
            return Resp.error("ERR invalid slot range");
        }
        if (!HashSlots.valid(start) || !HashSlots.valid(end) || start > end) return Resp.error("ERR invalid slot range");
        HostPort target = HostPort.parse(args.get(4));
        if (target == null) return Resp.error("ERR invalid address: " + args.get(4));
        BlockedClient client = deferred.block();
        mover.moveSlots(start, end, target, reply -> redis.unblock(client, reply));
        return null;
    }

    /**
     * RAFT.IMPORT term session (key payload)... (RedisRaft's; no deadlines) or RAFT.IMPORT PXAT
     * fence session (key deadline payload)... (what this module's MIGRATE sends: deadlines in
     * ms since the epoch, 0 for none).
     */
    Resp importKeys(Caller caller, byte[][] argv) {
        if (!groups.enabled()) return Resp.error("ERR RedisRaft sharding not enabled");
        boolean withDeadlines = argv.length > 1 && CommandTable.lower(argv[1]).equals("pxat");
        int first = withDeadlines ? 2 : 1;
        int per = withDeadlines ? 3 : 2;
        if (argv.length < first + 2 + per || (argv.length - first - 2) % per != 0) return Errors.wrongArity("raft.import");
        try {
            Long.parseLong(Errors.text(argv[first]));
        } catch (NumberFormatException e) {
            return Resp.error("ERR failed to parse raft term");
        }
        try {
            Long.parseLong(Errors.text(argv[first + 1]));
        } catch (NumberFormatException e) {
            return Resp.error("ERR failed to parse import migration session key");
        }
        List<byte[]> command = new ArrayList<>();
        command.add(ShardGroups.IMPORT_COMMAND.getBytes(StandardCharsets.UTF_8));
        command.add(argv[first]);
        command.add(argv[first + 1]);
        for (int i = first + 2; i < argv.length; i += per) {
            command.add(argv[i]);
            command.add(withDeadlines ? argv[i + 1] : "0".getBytes(StandardCharsets.UTF_8));
            command.add(argv[i + per - 1]);
        }
        byte[][] unitCommand = command.toArray(new byte[0][]);
        return leaderWait.run(caller, deferred -> {
            Resp refusal = node.refusal();
            if (refusal != null) return refusal;
            node.write(CommandCodec.encodeUnit(0, 0, unitCommand), caller.clientId(), deferred.block());
            return null;
        });
    }

    /**
     * RAFT.SCAN cursor slots: one SCAN step (raft.scan-size keys) of this node's dataset,
     * keeping the keys of the given slots ("0-100,200"): [next cursor, [[key, slot]...]].
     */
    Resp scan(byte[][] argv) {
        if (argv.length != 3) return Errors.wrongArity("raft.scan");
        boolean[] wanted = new boolean[HashSlots.COUNT];
        try {
            for (String part : Errors.text(argv[2]).split(",")) {
                String[] ends = part.trim().split("-", -1);
                int start = Integer.parseInt(ends[0]);
                int end = ends.length == 2 ? Integer.parseInt(ends[1]) : start;
                if (ends.length > 2 || !HashSlots.valid(start) || !HashSlots.valid(end) || start > end) {
                    return Resp.error("ERR couldn't parse slots");
                }
                for (int slot = start; slot <= end; slot++) wanted[slot] = true;
            }
        } catch (NumberFormatException e) {
            return Resp.error("ERR couldn't parse slots");
        }
        Resp refusal = node.refusal();
        if (refusal != null) return refusal;
        List<Resp> found = new ArrayList<>();
        String next;
        try {
            next = new SlotScan(redis::call).step(Errors.text(argv[1]), (int) config.number(ConfigOption.SCAN_SIZE), key -> {
                int slot = HashSlots.of(key);
                if (wanted[slot]) found.add(Resp.array(new Resp.Bulk(key), Resp.integer(slot)));
            });
        } catch (IllegalStateException e) {
            return Resp.error("ERR scan failed");
        }
        return Resp.array(Resp.bulk(next), Resp.array(found));
    }

    /** This cluster: its id, its slot ranges (start end type) and its nodes (id address), the leader first. */
    private Resp get(ShardMap map) {
        List<ShardGroup.Node> nodes = LocalNodes.of(node);
        if (nodes == null) return Resp.error("CLUSTERDOWN No raft leader");
        List<Resp> ranges = new ArrayList<>();
        for (SlotRange r : map.local().ranges()) {
            ranges.add(Resp.array(Resp.integer(r.start()), Resp.integer(r.end()), Resp.integer(r.type().code)));
        }
        List<Resp> members = new ArrayList<>();
        for (ShardGroup.Node n : nodes) members.add(Resp.array(Resp.bulk(n.id()), Resp.bulk(n.address())));
        return Resp.array(Resp.bulk(map.localId()), Resp.array(ranges), Resp.array(members));
    }

    private Resp log(Caller caller, BlockedClient client, String op, List<String> args) {
        node.write(CommandCodec.encodeUnit(0, 0, ShardGroups.change(op, args)), caller.clientId(), client);
        return null;
    }

    /** LINK address: learns the group that node belongs to, then logs it (or its new nodes, if known). */
    private Resp link(Caller caller, BlockedClient client, String address) {
        HostPort target = HostPort.parse(address);
        if (target == null) {
            redis.unblock(client, Resp.error("ERR invalid address: " + address));
            return null;
        }
        links.fetch(target).whenComplete((group, error) -> mainThread.execute(() -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                redis.unblock(client, Resp.error("ERR failed to link to " + address + ": " + cause.getMessage()));
                return;
            }
            Resp refusal = node.refusal();
            ShardMap map = groups.map();
            if (refusal != null || map == null) {
                redis.unblock(client, refusal != null ? refusal : Resp.error("ERR not a cluster member"));
                return;
            }
            if (group.id().equals(map.localId())) {
                redis.unblock(client, Resp.error("ERR cannot link a shard group to itself"));
                return;
            }
            boolean known = map.group(group.id()) != null;
            try {
                if (known) map.update(List.of(group));
                else map.add(group);
            } catch (ShardGroupSyntaxException e) {
                redis.unblock(client, Resp.error(e.getMessage()));
                return;
            }
            List<String> args = new ArrayList<>(known ? List.of("1") : List.of());
            args.addAll(group.toArgs());
            log(caller, client, known ? "UPDATE" : "ADD", args);
        }));
        return null;
    }
}
