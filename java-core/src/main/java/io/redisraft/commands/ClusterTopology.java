package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;
import io.redisraft.config.HostPort;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.NodeState;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * What cluster-aware clients ask: INFO (with cluster_enabled:1, so they treat -MOVED
 * as a redirect) and CLUSTER SLOTS / NODES / SHARDS, which describe the Raft cluster
 * as a single shard owning every slot, led by the Raft leader. Node ids are
 * RedisRaft's: the cluster id followed by the node id in 8 hex digits.
 */
final class ClusterTopology {
    private static final Resp UNKNOWN_SUBCOMMAND = Resp.error("ERR Unknown subcommand.");

    private final RedisApi redis;
    private final RaftNode node;

    ClusterTopology(RedisApi redis, RaftNode node) {
        this.redis = redis;
        this.node = node;
    }

    Resp info(byte[][] argv) {
        String[] args = new String[argv.length];
        for (int i = 0; i < argv.length; i++) args[i] = Errors.text(argv[i]);
        Resp reply = redis.call(args);
        if (reply.isError()) return reply;
        return Resp.bulk(reply.asText().replace("cluster_enabled:0", "cluster_enabled:1"));
    }

    Resp cluster(byte[][] argv) {
        if (argv.length != 2) return UNKNOWN_SUBCOMMAND;
        if (node.state() != NodeState.UP) return node.refusal();
        NodeIdentity self = node.identity();
        RaftPeerId leader = node.division().map(d -> d.getInfo().getLeaderId()).orElse(null);
        if (self == null || leader == null) return Resp.error("CLUSTERDOWN No raft leader");
        List<RaftPeer> members = new ArrayList<>(node.voters());
        // The leader first, then the others.
        members.sort((a, b) -> Boolean.compare(!a.getId().equals(leader), !b.getId().equals(leader)));
        return switch (CommandTable.lower(argv[1])) {
            case "slots" -> slots(self, members);
            case "nodes" -> nodes(self, leader, members);
            case "shards" -> shards(self, leader, members);
            default -> UNKNOWN_SUBCOMMAND;
        };
    }

    private static Resp slots(NodeIdentity self, List<RaftPeer> members) {
        List<Resp> entry = new ArrayList<>(List.of(Resp.integer(0), Resp.integer(16383)));
        for (RaftPeer p : members) {
            HostPort hp = HostPort.parse(p.getClientAddress());
            entry.add(Resp.array(Resp.bulk(hp.host()), Resp.integer(hp.port()), Resp.bulk(nodeId(self, p))));
        }
        return Resp.array(Resp.array(entry));
    }

    private Resp nodes(NodeIdentity self, RaftPeerId leader, List<RaftPeer> members) {
        long term = node.division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
        String leaderId = members.stream().filter(p -> p.getId().equals(leader)).findFirst()
                .map(p -> nodeId(self, p)).orElse("-");
        StringBuilder sb = new StringBuilder();
        for (RaftPeer p : members) {
            HostPort hp = HostPort.parse(p.getClientAddress());
            boolean isLeader = p.getId().equals(leader);
            String flags = (p.getId().equals(self.peerId()) ? "myself," : "") + (isLeader ? "master" : "slave");
            sb.append(nodeId(self, p)).append(' ').append(hp.host()).append(':').append(hp.port()).append('@').append(hp.port())
                    .append(' ').append(flags).append(' ').append(isLeader ? "-" : leaderId).append(" 0 0 ")
                    .append(term).append(" connected").append(isLeader ? " 0-16383" : "").append('\n');
        }
        return Resp.bulk(sb.toString());
    }

    private static Resp shards(NodeIdentity self, RaftPeerId leader, List<RaftPeer> members) {
        List<Resp> nodes = new ArrayList<>();
        for (RaftPeer p : members) {
            HostPort hp = HostPort.parse(p.getClientAddress());
            nodes.add(Resp.array(Arrays.asList(
                    Resp.bulk("id"), Resp.bulk(nodeId(self, p)),
                    Resp.bulk("port"), Resp.integer(hp.port()),
                    Resp.bulk("ip"), Resp.bulk(hp.host()),
                    Resp.bulk("endpoint"), Resp.bulk(hp.host()),
                    Resp.bulk("role"), Resp.bulk(p.getId().equals(leader) ? "master" : "replica"),
                    Resp.bulk("replication-offset"), Resp.integer(0),
                    Resp.bulk("health"), Resp.bulk("online"))));
        }
        Resp shard = Resp.array(Resp.bulk("slots"), Resp.array(Resp.integer(0), Resp.integer(16383)),
                Resp.bulk("nodes"), Resp.array(nodes));
        return Resp.array(shard);
    }

    private static String nodeId(NodeIdentity self, RaftPeer p) {
        return self.dbid() + String.format("%08x", Integer.parseInt(p.getId().toString()));
    }
}
