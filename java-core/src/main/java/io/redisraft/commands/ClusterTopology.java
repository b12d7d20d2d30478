package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.NodeState;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.sharding.ClusterReplies;
import io.redisraft.sharding.HashSlots;
import io.redisraft.sharding.LocalNodes;
import io.redisraft.sharding.ShardGroup;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.ShardMap;
import io.redisraft.sharding.SlotScan;
import java.util.ArrayList;
import java.util.List;

/**
 * What cluster-aware clients ask: INFO (with cluster_enabled:1, so they treat -MOVED
 * as a redirect) and CLUSTER SLOTS / NODES / SHARDS, which describe every shard group
 * (sharding.ClusterReplies), this cluster led by its Raft leader; also CLUSTER KEYSLOT,
 * MYID, COUNTKEYSINSLOT and GETKEYSINSLOT, which cluster tools use. Node ids are
 * RedisRaft's: the cluster id followed by the node id in 8 hex digits. Main thread.
 */
final class ClusterTopology {
    private static final Resp UNKNOWN_SUBCOMMAND = Resp.error("ERR Unknown subcommand.");
    private static final Resp INVALID_SLOT = Resp.error("ERR Invalid slot");

    private final RedisApi redis;
    private final RaftNode node;
    private final ShardGroups groups;

    ClusterTopology(RedisApi redis, RaftNode node, ShardGroups groups) {
        this.redis = redis;
        this.node = node;
        this.groups = groups;
    }

    Resp info(byte[][] argv) {
        String[] args = new String[argv.length];
        for (int i = 0; i < argv.length; i++) args[i] = Errors.text(argv[i]);
        Resp reply = redis.call(args);
        if (reply.isError()) return reply;
        return Resp.bulk(reply.asText().replace("cluster_enabled:0", "cluster_enabled:1"));
    }

    Resp cluster(byte[][] argv, int db) {
        String sub = argv.length > 1 ? CommandTable.lower(argv[1]) : "";
        switch (sub) {
            case "keyslot":
                if (argv.length != 3) return Errors.wrongArity("cluster|keyslot");
                return Resp.integer(HashSlots.of(argv[2]));
            case "countkeysinslot": {
                if (argv.length != 3) return Errors.wrongArity("cluster|countkeysinslot");
                Integer slot = slot(argv[2]);
                return slot == null ? INVALID_SLOT : Resp.integer(keysInSlot(db, slot, Long.MAX_VALUE).size());
            }
            case "getkeysinslot": {
                if (argv.length != 4) return Errors.wrongArity("cluster|getkeysinslot");
                Integer slot = slot(argv[2]);
                if (slot == null) return INVALID_SLOT;
                long count;
                try {
                    count = Long.parseLong(Errors.text(argv[3]));
                } catch (NumberFormatException e) {
                    count = -1;
                }
                if (count < 0) return Resp.error("ERR Invalid number of keys");
                List<Resp> keys = new ArrayList<>();
                for (byte[] k : keysInSlot(db, slot, count)) keys.add(new Resp.Bulk(k));
                return Resp.array(keys);
            }
            case "slots", "nodes", "shards", "myid":
                if (argv.length != 2) return UNKNOWN_SUBCOMMAND;
                break;
            default:
                return UNKNOWN_SUBCOMMAND;
        }
        if (node.state() != NodeState.UP) return node.refusal();
        NodeIdentity self = node.identity();
        List<ShardGroup.Node> local = LocalNodes.of(node);
        ShardMap map = groups.map();
        if (self == null || local == null || map == null) return Resp.error("CLUSTERDOWN No raft leader");
        long term = node.division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
        ClusterReplies replies = new ClusterReplies(map, local, LocalNodes.nodeId(self.dbid(), self.peerId()), term);
        return switch (sub) {
            case "slots" -> replies.slots();
            case "shards" -> replies.shards();
            case "nodes" -> Resp.bulk(replies.nodes());
            default -> Resp.bulk(LocalNodes.nodeId(self.dbid(), self.peerId()));
        };
    }

    private static Integer slot(byte[] arg) {
        try {
            long s = Long.parseLong(Errors.text(arg));
            return HashSlots.valid(s) ? (int) s : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Up to {@code limit} keys of database {@code db} in {@code slot}: a scan of the whole database. */
    private List<byte[]> keysInSlot(int db, int slot, long limit) {
        List<byte[]> found = new ArrayList<>();
        SlotScan scan = new SlotScan(argv -> redis.callInDb(db, argv));
        String cursor = "0";
        do {
            cursor = scan.step(cursor, SlotScan.COUNT, key -> {
                if (HashSlots.of(key) == slot && found.size() < limit) found.add(key);
            });
        } while (!cursor.equals("0") && found.size() < limit);
        return found;
    }
}
