package io.redisraft.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.server.RaftServer;

/**
 * Cluster membership on top of Ratis configurations. A new node is added with Ratis's
 * staging: the leader first brings it up to date (log entries or a snapshot) while it
 * is outside the configuration, so it neither votes nor counts towards a quorum, and
 * only then makes it a voter through a joint configuration.
 *
 * <p>Ratis listeners are deliberately not used for this: a leader elected while a
 * listener-to-voter promotion is still uncommitted lists the node twice and fails to
 * take office (Ratis 3.2.2 LeaderStateImpl), leaving the cluster without a leader.
 */
final class Membership {
    private static final long RETRY_SECONDS = 30;

    private final RaftRequests requests;
    private final RaftServer.Division division;

    Membership(RaftRequests requests, RaftServer.Division division) {
        this.requests = requests;
        this.division = division;
    }

    /** The voting members of the current configuration. */
    List<RaftPeer> voters() {
        return new ArrayList<>(division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER));
    }

    Optional<RaftPeer> peer(RaftPeerId id) {
        return Optional.ofNullable(division.getRaftConf().getPeer(id, RaftPeerRole.FOLLOWER));
    }

    /** Leader only: completes once the node has caught up and the configuration with it is committed. */
    CompletableFuture<Void> add(RaftPeer peer) {
        List<RaftPeer> voters = voters();
        voters.removeIf(p -> p.getId().equals(peer.getId()));
        voters.add(peer);
        return change(voters);
    }

    CompletableFuture<Void> remove(RaftPeerId id) {
        List<RaftPeer> voters = voters();
        voters.removeIf(p -> p.getId().equals(id));
        return change(voters);
    }

    /** Applies a membership; one change at a time, so a change waits while another is in progress. */
    private CompletableFuture<Void> change(List<RaftPeer> voters) {
        return attempt(voters, System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS));
    }

    private CompletableFuture<Void> attempt(List<RaftPeer> voters, long deadline) {
        return requests.setConfiguration(voters).thenCompose(reply -> {
            if (reply.isSuccess()) return CompletableFuture.completedFuture(null);
            Throwable e = reply.getException();
            if (e instanceof ReconfigurationInProgressException && System.nanoTime() < deadline) {
                Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(() -> null, later)
                        .thenCompose(v -> attempt(voters, deadline));
            }
            return CompletableFuture.failedFuture(
                    new IllegalStateException(e == null ? "configuration change refused" : e.getMessage(), e));
        });
    }
}
