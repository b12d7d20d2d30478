package io.redisraft.sharding;

import io.redisraft.config.HostPort;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.RaftNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** This cluster's nodes as a shard group lists them (the map keeps none for its own group: Raft knows them). */
public final class LocalNodes {
    private LocalNodes() {}

    /** The voting members, the leader first; null while no leader is known. */
    public static List<ShardGroup.Node> of(RaftNode node) {
        NodeIdentity self = node.identity();
        RaftPeerId leader = node.division().map(d -> d.getInfo().getLeaderId()).orElse(null);
        if (self == null || leader == null) return null;
        List<RaftPeer> members = new ArrayList<>(node.voters());
        members.sort((a, b) -> Boolean.compare(!a.getId().equals(leader), !b.getId().equals(leader)));
        List<ShardGroup.Node> nodes = new ArrayList<>();
        for (RaftPeer p : members) {
            HostPort hp = HostPort.parse(p.getClientAddress());
            nodes.add(new ShardGroup.Node(nodeId(self.dbid(), p.getId()), hp.host() + ":" + hp.port()));
        }
        return nodes;
    }

    /** RedisRaft's node id: the cluster id, then the node id in 8 hex digits. */
    public static String nodeId(String dbid, RaftPeerId peer) {
        return dbid + String.format("%08x", Integer.parseInt(peer.toString()));
    }

    /** {@code groups} with this cluster's group listing its nodes, as other groups must see them. */
    public static List<ShardGroup> described(List<ShardGroup> groups, String localId, List<ShardGroup.Node> nodes) {
        List<ShardGroup> out = new ArrayList<>();
        for (ShardGroup g : groups) out.add(g.id().equals(localId) && nodes != null ? g.withNodes(nodes) : g);
        return out;
    }
}
