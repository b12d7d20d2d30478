package io.redisraft.sharding;

import io.redisraft.resp.Resp;
import java.util.ArrayList;
import java.util.List;

/**
 * CLUSTER SLOTS, SHARDS and NODES as Redis Cluster answers them, for a keyspace shared by
 * shard groups: every group in the map's order, each with its nodes, the leader (master)
 * first. This cluster's nodes are given as Raft knows them; other groups' as the map has
 * them. Slots being imported are left out, as RedisRaft does. Pure logic.
 */
public final class ClusterReplies {
    private final ShardMap map;
    private final List<ShardGroup.Node> localNodes;
    private final String selfId;
    private final long epoch;

    /** {@code localNodes}: this cluster's nodes, its leader first; {@code selfId}: this node's id. */
    public ClusterReplies(ShardMap map, List<ShardGroup.Node> localNodes, String selfId, long epoch) {
        this.map = map;
        this.localNodes = List.copyOf(localNodes);
        this.selfId = selfId;
        this.epoch = epoch;
    }

    private List<ShardGroup.Node> nodesOf(ShardGroup g) {
        return g.id().equals(map.localId()) ? localNodes : g.nodes();
    }

    private static List<SlotRange> served(ShardGroup g) {
        return g.ranges().stream().filter(r -> r.type() != SlotRange.Type.IMPORTING).toList();
    }

    public Resp slots() {
        List<Resp> out = new ArrayList<>();
        for (ShardGroup g : map.groups()) {
            for (SlotRange r : served(g)) {
                List<Resp> entry = new ArrayList<>(List.of(Resp.integer(r.start()), Resp.integer(r.end())));
                for (ShardGroup.Node n : nodesOf(g)) {
                    entry.add(Resp.array(Resp.bulk(host(n.address())), Resp.integer(port(n.address())), Resp.bulk(n.id())));
                }
                out.add(Resp.array(entry));
            }
        }
        return Resp.array(out);
    }

    public Resp shards() {
        List<Resp> out = new ArrayList<>();
        for (ShardGroup g : map.groups()) {
            List<Resp> slots = new ArrayList<>();
            for (SlotRange r : served(g)) {
                slots.add(Resp.integer(r.start()));
                slots.add(Resp.integer(r.end()));
            }
            List<Resp> nodes = new ArrayList<>();
            List<ShardGroup.Node> members = nodesOf(g);
            for (int i = 0; i < members.size(); i++) {
                ShardGroup.Node n = members.get(i);
                nodes.add(Resp.array(
                        Resp.bulk("id"), Resp.bulk(n.id()),
                        Resp.bulk("port"), Resp.integer(port(n.address())),
                        Resp.bulk("ip"), Resp.bulk(host(n.address())),
                        Resp.bulk("endpoint"), Resp.bulk(host(n.address())),
                        Resp.bulk("role"), Resp.bulk(i == 0 ? "master" : "replica"),
                        Resp.bulk("replication-offset"), Resp.integer(0),
                        Resp.bulk("health"), Resp.bulk("online")));
            }
            out.add(Resp.array(Resp.bulk("slots"), Resp.array(slots), Resp.bulk("nodes"), Resp.array(nodes)));
        }
        return Resp.array(out);
    }

    /**
     * One line per node: id, address (with the Redis port as bus port), flags, the master's
     * id for a replica, pings (0 0), epoch, link state and, for a master, its slots, with
     * Redis Cluster's markers for slots moving out ([slot->-id]) and in ([slot-<-id]).
     */
    public String nodes() {
        StringBuilder sb = new StringBuilder();
        for (ShardGroup g : map.groups()) {
            List<ShardGroup.Node> members = nodesOf(g);
            String masterId = members.isEmpty() ? "-" : members.get(0).id();
            for (int i = 0; i < members.size(); i++) {
                ShardGroup.Node n = members.get(i);
                String flags = (n.id().equals(selfId) ? "myself," : "") + (i == 0 ? "master" : "slave");
                sb.append(n.id()).append(' ').append(n.address()).append('@').append(port(n.address()))
                        .append(' ').append(flags).append(' ').append(i == 0 ? "-" : masterId)
                        .append(" 0 0 ").append(epoch).append(" connected");
                if (i == 0) appendSlots(sb, g);
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private void appendSlots(StringBuilder sb, ShardGroup g) {
        for (SlotRange r : g.ranges()) {
            // A slot moving out is still this group's.
            if (r.type() != SlotRange.Type.IMPORTING) {
                sb.append(' ').append(r.start() == r.end() ? Integer.toString(r.start()) : r.start() + "-" + r.end());
            }
            switch (r.type()) {
                case STABLE -> { }
                case MIGRATING -> {
                    for (int s = r.start(); s <= r.end(); s++) {
                        ShardGroup to = map.importer(s);
                        if (to != null && !nodesOf(to).isEmpty()) sb.append(" [").append(s).append("->-").append(nodesOf(to).get(0).id()).append(']');
                    }
                }
                case IMPORTING -> {
                    for (int s = r.start(); s <= r.end(); s++) {
                        ShardGroup from = map.migrator(s);
                        if (from != null && !nodesOf(from).isEmpty()) sb.append(" [").append(s).append("-<-").append(nodesOf(from).get(0).id()).append(']');
                    }
                }
            }
        }
    }

    static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
