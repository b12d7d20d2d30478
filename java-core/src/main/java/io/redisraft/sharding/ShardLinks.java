package io.redisraft.sharding;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.logging.RedisLog;
import io.redisraft.raft.NodeConnections;
import io.redisraft.resp.Resp;
import io.redisraft.resp.RespClient;
import io.redisraft.util.Threads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Links between shard groups (RAFT.SHARDGROUP LINK, without raft.external-sharding): a
 * group's description is fetched from one of its nodes with RAFT.SHARDGROUP GET (a
 * follower's MOVED is followed to its leader), and the leader of this cluster refreshes
 * every linked group (its slots and nodes, as it describes itself) each
 * raft.shardgroup-update-interval, logging a change only when one differs. Its own thread.
 */
public final class ShardLinks {
    private final RaftConfig config;
    private final NodeConnections connections;
    private final ShardGroups groups;
    private final BooleanSupplier leading;
    /** Replicates a change (RAFT._SHARDGROUPS ...) as the module's own write. */
    private final Consumer<byte[][]> logChange;
    private final ExecutorService thread = Threads.single("shard-links");
    private volatile long lastRefresh;

    public ShardLinks(RaftConfig config, NodeConnections connections, ShardGroups groups, BooleanSupplier leading,
                      Consumer<byte[][]> logChange) {
        this.config = config;
        this.connections = connections;
        this.groups = groups;
        this.leading = leading;
        this.logChange = logChange;
    }

    /** The description of the group {@code address} belongs to, as its leader gives it. */
    public CompletableFuture<ShardGroup> fetch(HostPort address) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return describe(address);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, thread);
    }

    private ShardGroup describe(HostPort address) throws IOException {
        HostPort target = address;
        for (int hop = 0; hop < 2; hop++) {
            Resp reply;
            try (RespClient c = connections.open(target, (int) config.number(ConfigOption.CONNECTION_TIMEOUT))) {
                reply = c.call("RAFT.SHARDGROUP", "GET");
            }
            if (reply instanceof Resp.Error e && e.code().equals("MOVED")) {
                String[] parts = e.message().split(" ");
                HostPort leader = parts.length == 3 ? HostPort.parse(parts[2]) : null;
                if (leader == null) throw new IOException("cannot follow " + e.message());
                target = leader;
                continue;
            }
            if (reply.isError()) throw new IOException(target + " answered " + reply.asText());
            return parseGet(reply);
        }
        throw new IOException(address + " redirected more than once");
    }

    /** A RAFT.SHARDGROUP GET reply: id, then [start end type]..., then [node-id address]... */
    static ShardGroup parseGet(Resp reply) throws IOException {
        List<Resp> parts = reply.asList();
        if (parts.size() != 3) throw new IOException("unexpected RAFT.SHARDGROUP GET reply");
        List<String> args = new ArrayList<>();
        List<Resp> ranges = parts.get(1).asList();
        List<Resp> nodes = parts.get(2).asList();
        args.add(parts.get(0).asText());
        args.add(Integer.toString(ranges.size()));
        args.add(Integer.toString(nodes.size()));
        for (Resp r : ranges) {
            List<Resp> f = r.asList();
            if (f.size() != 3) throw new IOException("unexpected slot range in RAFT.SHARDGROUP GET reply");
            for (Resp x : f) args.add(x.asText());
            args.add("0");
        }
        for (Resp n : nodes) {
            List<Resp> f = n.asList();
            if (f.size() != 2) throw new IOException("unexpected node in RAFT.SHARDGROUP GET reply");
            args.add(f.get(0).asText());
            args.add(f.get(1).asText());
        }
        try {
            return ShardGroup.parse(args, 0, 0).group();
        } catch (ShardGroupSyntaxException e) {
            throw new IOException("unexpected RAFT.SHARDGROUP GET reply: " + e.getMessage());
        }
    }

    /** Housekeeping: refreshes the linked groups when due (leader only). */
    public void tick() {
        long interval = config.number(ConfigOption.SHARDGROUP_UPDATE_INTERVAL);
        long now = System.currentTimeMillis();
        if (!groups.enabled() || groups.external() || !leading.getAsBoolean() || now - lastRefresh < interval) return;
        lastRefresh = now;
        thread.execute(this::refresh);
    }

    private void refresh() {
        ShardMap map = groups.map();
        if (map == null) return;
        List<ShardGroup> changed = new ArrayList<>();
        for (ShardGroup known : map.groups()) {
            if (known.id().equals(map.localId()) || known.nodes().isEmpty()) continue;
            ShardGroup reported = null;
            for (ShardGroup.Node n : known.nodes()) {
                try {
                    reported = describe(HostPort.parse(n.address()));
                    break;
                } catch (IOException | RuntimeException e) {
                    RedisLog.verbose("shard group " + known.id() + ": " + n.address() + " did not answer: " + e.getMessage());
                }
            }
            if (reported == null) {
                RedisLog.verbose("shard group " + known.id() + ": no node answered; it stays as it was");
            } else if (reported.id().equals(known.id()) && !reported.nodes().isEmpty()
                    && !sameDescription(reported, known)) {
                changed.add(reported);
            }
        }
        if (changed.isEmpty()) return;
        try {
            map.update(changed); // moves half seen (one group reports the end, the other not yet) wait for the next round
        } catch (ShardGroupSyntaxException e) {
            RedisLog.verbose("linked shard groups disagree for now (" + e.getMessage() + "); retrying later");
            return;
        }
        List<String> args = new ArrayList<>(List.of(Integer.toString(changed.size())));
        for (ShardGroup g : changed) args.addAll(g.toArgs());
        logChange.accept(ShardGroups.change("UPDATE", args));
    }

    /** Equal slots (their migration keys aside, which GET does not give) and nodes. */
    private static boolean sameDescription(ShardGroup a, ShardGroup b) {
        if (!a.nodes().equals(b.nodes()) || a.ranges().size() != b.ranges().size()) return false;
        for (int i = 0; i < a.ranges().size(); i++) {
            SlotRange x = a.ranges().get(i);
            SlotRange y = b.ranges().get(i);
            if (x.start() != y.start() || x.end() != y.end() || x.type() != y.type()) return false;
        }
        return true;
    }

    public void close() {
        thread.shutdownNow();
    }
}
