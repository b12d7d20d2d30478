package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * Cluster membership on top of Ratis configurations. New nodes join as non-voting
 * listeners; the leader promotes a listener to voter once it has caught up with the
 * log, so a lagging newcomer never counts towards (or blocks) a quorum.
 */
final class Membership {
    /** A listener within this many entries of the leader's commit index is caught up. */
    private static final long CATCH_UP_GAP = 100;

    private final RaftRequests requests;
    private final RaftServer.Division division;

    Membership(RaftRequests requests, RaftServer.Division division) {
        this.requests = requests;
        this.division = division;
    }

    List<RaftPeer> voters() {
        return new ArrayList<>(division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER));
    }

    List<RaftPeer> listeners() {
        return new ArrayList<>(division.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER));
    }

    Optional<RaftPeer> peer(RaftPeerId id) {
        return Optional.ofNullable(division.getRaftConf().getPeer(id, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER));
    }

    boolean isVoter(RaftPeerId id) {
        return division.getRaftConf().getPeer(id, RaftPeerRole.FOLLOWER) != null;
    }

    CompletableFuture<Void> addListener(RaftPeer peer) {
        List<RaftPeer> listeners = listeners();
        listeners.removeIf(p -> p.getId().equals(peer.getId()));
        listeners.add(peer);
        return change(voters(), listeners);
    }

    CompletableFuture<Void> remove(RaftPeerId id) {
        List<RaftPeer> voters = voters();
        List<RaftPeer> listeners = listeners();
        voters.removeIf(p -> p.getId().equals(id));
        listeners.removeIf(p -> p.getId().equals(id));
        return change(voters, listeners);
    }

    /** Leader only: promotes one caught-up listener, if any. */
    void promoteCaughtUpListeners() {
        List<RaftPeer> listeners = listeners();
        if (listeners.isEmpty() || !division.getInfo().isLeaderReady()) return;
        long commit = division.getRaftLog().getLastCommittedIndex();
        for (RaftPeer l : listeners) {
            long theirs = commitIndexOf(l.getId());
            if (theirs >= 0 && theirs + CATCH_UP_GAP >= commit) {
                List<RaftPeer> voters = voters();
                voters.add(l);
                List<RaftPeer> rest = new ArrayList<>(listeners);
                rest.remove(l);
                RedisLog.notice("node " + l.getId() + " caught up (commit index " + theirs + "/" + commit
                        + "), making it a voting member");
                change(voters, rest).whenComplete((v, e) -> {
                    if (e != null) RedisLog.verbose("promotion of node " + l.getId() + " postponed: " + e.getMessage());
                });
                return;
            }
        }
    }

    private long commitIndexOf(RaftPeerId id) {
        for (CommitInfoProto info : division.getCommitInfos()) {
            if (RaftPeerId.valueOf(info.getServer().getId()).equals(id)) return info.getCommitIndex();
        }
        return -1;
    }

    private CompletableFuture<Void> change(List<RaftPeer> voters, List<RaftPeer> listeners) {
        return requests.setConfiguration(voters, listeners).thenApply(reply -> {
            if (!reply.isSuccess()) {
                Throwable e = reply.getException();
                throw new IllegalStateException(e == null ? "configuration change refused" : e.getMessage(), e);
            }
            return null;
        });
    }
}
