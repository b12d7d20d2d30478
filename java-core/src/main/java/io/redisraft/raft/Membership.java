package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.server.RaftServer;

/**
 * Cluster membership on top of Ratis configurations. New nodes join as non-voting
 * listeners; the leader promotes a listener to voter once it has caught up with the
 * log, so a lagging newcomer never counts towards (or blocks) a quorum.
 */
final class Membership {
    /** A listener within this many entries of the leader's commit index is caught up. */
    private static final long CATCH_UP_GAP = 100;
    private static final long RETRY_SECONDS = 30;

    private final RaftRequests requests;
    private final RaftServer.Division division;
    private final AtomicBoolean promoting = new AtomicBoolean();

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
        if (listeners.isEmpty() || !division.getInfo().isLeaderReady() || promoting.get()) return;
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
                promoting.set(true);
                change(voters, rest).whenComplete((v, e) -> {
                    promoting.set(false);
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

    /** Applies a membership; one change at a time, so a change waits while another is in progress. */
    private CompletableFuture<Void> change(List<RaftPeer> voters, List<RaftPeer> listeners) {
        return attempt(voters, listeners, System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS));
    }

    private CompletableFuture<Void> attempt(List<RaftPeer> voters, List<RaftPeer> listeners, long deadline) {
        return requests.setConfiguration(voters, listeners).thenCompose(reply -> {
            if (reply.isSuccess()) return CompletableFuture.completedFuture(null);
            Throwable e = reply.getException();
            if (e instanceof ReconfigurationInProgressException && System.nanoTime() < deadline) {
                Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(() -> null, later)
                        .thenCompose(v -> attempt(voters, listeners, deadline));
            }
            return CompletableFuture.failedFuture(
                    new IllegalStateException(e == null ? "configuration change refused" : e.getMessage(), e));
        });
    }
}
