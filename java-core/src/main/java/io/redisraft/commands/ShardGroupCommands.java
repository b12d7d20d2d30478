package io.redisraft.commands;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.config.HostPort;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.sharding.ShardGroup;
import io.redisraft.sharding.ShardGroupSyntaxException;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.ShardLinks;
import io.redisraft.sharding.ShardMap;
import io.redisraft.sharding.SlotRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * RAFT.SHARDGROUP GET | ADD | REPLACE | LINK, with RedisRaft's syntax and replies. Changes
 * are checked here against the current map (for a prompt error), then logged and applied
 * on every node (sharding.ShardGroups), which answers the client. Leader only. Main thread.
 */
final class ShardGroupCommands {
    private final RedisApi redis;
    private final MainThread mainThread;
    private final RaftNode node;
    private final ShardGroups groups;
    private final ShardLinks links;
    private final LeaderWait leaderWait;

    ShardGroupCommands(RedisApi redis, MainThread mainThread, RaftNode node, ShardGroups groups, ShardLinks links,
                       LeaderWait leaderWait) {
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
                default:
                    return Resp.error("RAFT.SHARDGROUP supports GET/ADD/REPLACE/LINK only");
            }
        } catch (ShardGroupSyntaxException e) {
            return e.isArityError() ? Errors.wrongArity("raft.shardgroup") : Resp.error(e.getMessage());
        }
    }

    /** This cluster: its id, its slot ranges (start end type) and its nodes (id address), the leader first. */
    private Resp get(ShardMap map) {
        List<ShardGroup.Node> nodes = ClusterTopology.localNodes(node);
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
            ShardMap map = groups.map();
            if (map == null || node.refusal() != null) {
                redis.unblock(client, node.refusal() != null ? node.refusal() : Resp.error("ERR not a cluster member"));
                return;
            }
            if (group.id().equals(map.localId())) {
                redis.unblock(client, Resp.error("ERR cannot link a shard group to itself"));
                return;
            }
            boolean known = map.group(group.id()) != null;
            try {
                if (known) map.updateNodes(group);
                else map.add(group);
            } catch (ShardGroupSyntaxException e) {
                redis.unblock(client, Resp.error(e.getMessage()));
                return;
            }
            log(caller, client, known ? "UPDATE" : "ADD", group.toArgs());
        }));
        return null;
    }
}
