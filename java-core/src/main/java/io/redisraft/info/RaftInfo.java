package io.redisraft.info;

import io.redisraft.config.HostPort;
import io.redisraft.proxy.FollowerProxy;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * INFO raft: RedisRaft's sections and field names, filled from the node and its
 * Ratis member. Fields without a meaning here keep RedisRaft's empty values.
 */
public final class RaftInfo {
    public static final String VERSION = "0.1.0";

    private final NodeStatus node;
    private final LogStatistics logStats;
    private final String snapshotFilename;
    private final SnapshotStatus snapshotStatus;
    private final PeerLinks links = new PeerLinks();
    private final LongSupplier refusedHandshakes;

    /** Snapshot figures; supplied by the snapshot package. */
    public interface SnapshotStatus {
        void write(InfoSink sink, Optional<RaftServer.Division> division);
    }

    /** {@code refusedHandshakes}: peers refused for their certificate (raft.tls-enabled). */
    public RaftInfo(NodeStatus node, LogStatistics logStats, String snapshotFilename, SnapshotStatus snapshotStatus,
                    LongSupplier refusedHandshakes) {
        this.node = node;
        this.logStats = logStats;
        this.snapshotFilename = snapshotFilename;
        this.snapshotStatus = snapshotStatus;
        this.refusedHandshakes = refusedHandshakes;
    }

    public void write(InfoSink sink) {
        Optional<RaftServer.Division> division = node.division();
        sink.section("version");
        sink.field("version", VERSION);
        sink.field("git_sha1", "00000000");
        general(sink, division);
        log(sink, division);
        sink.section("snapshot");
        sink.field("snapshot_filename", snapshotFilename);
        snapshotStatus.write(sink, division);
        sink.section("clients");
        FollowerProxy.Counters proxy = node.proxyCounters();
        sink.field("proxy_reqs", proxy.requests());
        sink.field("proxy_failed_reqs", proxy.failedRequests());
        sink.field("proxy_failed_responses", proxy.failedResponses());
        sink.field("proxy_outstanding_reqs", proxy.outstanding());
        sink.section("stats");
        sink.field("appendreq_received", logStats.appendRequestsReceived());
        sink.field("appendreq_with_entry_received", logStats.appendRequestsWithEntries());
        sink.field("snapshotreq_received", logStats.snapshotRequestsReceived());
        sink.field("tls_refused_handshakes", refusedHandshakes.getAsLong());
        sink.field("exec_throttled", 0);
        sink.field("num_sessions", 0);
        JvmMemory.write(sink);
    }

    private void general(InfoSink sink, Optional<RaftServer.Division> division) {
        sink.section("general");
        sink.field("dbid", node.dbid());
        sink.field("node_id", node.nodeId());
        sink.field("state", node.state());
        if (division.isEmpty() || node.nodeId() == 0) {
            sink.field("role", "(none)");
            sink.field("is_voting", "-");
            sink.field("voted_for", -1);
            sink.field("leader_id", -1);
            sink.field("current_term", 0);
            sink.field("num_nodes", 0);
            sink.field("num_voting_nodes", 0);
            return;
        }
        RaftServer.Division d = division.get();
        RoleInfoProto role = d.getInfo().getRoleInfoProto();
        List<RaftPeer> voters = node.voters();
        RaftPeerId self = RaftPeerId.valueOf(Long.toString(node.nodeId()));
        sink.field("role", roleName(role.getRole()));
        sink.field("is_voting", voters.stream().anyMatch(p -> p.getId().equals(self)) ? "yes" : "no");
        sink.field("voted_for", votedFor(d));
        RaftPeerId leader = d.getInfo().getLeaderId();
        sink.field("leader_id", leader == null ? -1 : Long.parseLong(leader.toString()));
        sink.field("current_term", d.getInfo().getCurrentTerm());
        sink.field("num_nodes", voters.size());
        sink.field("num_voting_nodes", voters.size());
        long electionMs = d.properties().maxRpcTimeoutMs();
        for (int i = 0; i < voters.size(); i++) {
            RaftPeer p = voters.get(i);
            if (p.getId().equals(self)) continue;
            long lastContactMs = lastContactMs(role, p.getId());
            // Judged here too (observing a state twice counts nothing), so the line's state and counts agree.
            sink.field("node" + i, nodeLine(p, lastContactMs, electionMs,
                    links.observe(p.getId().toString(), lastContactMs, electionMs)));
        }
    }

    /** Housekeeping: judges the links to the other members, so that INFO counts losses between two INFOs. */
    public void sampleLinks() {
        Optional<RaftServer.Division> division = node.division();
        if (division.isEmpty() || node.nodeId() == 0) return;
        RaftServer.Division d = division.get();
        RoleInfoProto role = d.getInfo().getRoleInfoProto();
        long electionMs = d.properties().maxRpcTimeoutMs();
        List<RaftPeer> voters = node.voters();
        for (RaftPeer p : voters) links.observe(p.getId().toString(), lastContactMs(role, p.getId()), electionMs);
        links.retainOnly(voters.stream().map(p -> p.getId().toString()).collect(Collectors.toSet()));
    }

    /** Members are always voters: a node still catching up is outside the configuration (see Membership). */
    private static String nodeLine(RaftPeer peer, long lastContactMs, long electionMs, PeerLinks.Link link) {
        HostPort address = HostPort.parse(peer.getClientAddress());
        String state = lastContactMs < 0 ? "unknown" : lastContactMs <= electionMs ? "connected" : "disconnected";
        return "id=" + peer.getId() + ",state=" + state + ",voting=yes,addr="
                + address.host() + ",port=" + address.port() + ",last_conn_secs="
                + (lastContactMs < 0 ? -1 : lastContactMs / 1000)
                + ",conn_errors=" + link.errors() + ",conn_oks=" + link.oks();
    }

    /** Milliseconds since this node last heard from the peer, or -1 if it does not track it. */
    private static long lastContactMs(RoleInfoProto role, RaftPeerId peer) {
        if (role.hasLeaderInfo()) {
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                if (f.getId().getId().equals(peer.toByteString())) return f.getLastRpcElapsedTimeMs();
            }
        }
        if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
            ServerRpcProto l = role.getFollowerInfo().getLeaderInfo();
            if (l.getId().getId().equals(peer.toByteString())) return l.getLastRpcElapsedTimeMs();
        }
        return -1;
    }

    private static long votedFor(RaftServer.Division d) {
        try {
            RaftPeerId v = d.getRaftStorage().getMetadataFile().getMetadata().getVotedFor();
            return v == null || v.toString().isEmpty() ? -1 : Long.parseLong(v.toString());
        } catch (Exception e) {
            return -1;
        }
    }

    private static String roleName(RaftPeerRole role) {
        return switch (role) {
            case LEADER -> "leader";
            case FOLLOWER -> "follower";
            case CANDIDATE -> "candidate";
            default -> role.name().toLowerCase();
        };
    }

    private void log(InfoSink sink, Optional<RaftServer.Division> division) {
        sink.section("log");
        if (division.isEmpty()) {
            for (String f : List.of("log_entries", "current_index", "commit_index", "last_applied_index", "file_size",
                    "cache_memory_size", "cache_entries")) {
                sink.field(f, 0);
            }
        } else {
            RaftLog log = division.get().getRaftLog();
            long last = log.getLastEntryTermIndex() == null ? 0 : log.getLastEntryTermIndex().getIndex();
            // Entries after the last snapshot (the log may still hold some it covers, until purged).
            var snapshot = division.get().getStateMachine().getLatestSnapshot();
            long first = Math.max(Math.max(log.getStartIndex(), 1), snapshot == null ? 1 : snapshot.getIndex() + 1);
            sink.field("log_entries", last >= first ? last - first + 1 : 0);
            sink.field("current_index", last);
            sink.field("commit_index", Math.max(0, log.getLastCommittedIndex()));
            sink.field("last_applied_index", Math.max(0, node.appliedIndex()));
            sink.field("file_size", logStats.fileSize());
            sink.field("cache_memory_size", logStats.cacheBytes());
            sink.field("cache_entries", logStats.cacheEntries());
        }
        sink.field("client_attached_entries", node.waitingClients());
        sink.field("fsync_count", logStats.fsyncCount());
        sink.field("fsync_max_microseconds", logStats.fsyncMaxMicros());
        sink.field("fsync_avg_microseconds", logStats.fsyncAvgMicros());
    }
}
