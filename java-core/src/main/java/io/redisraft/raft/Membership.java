package io.redisraft.raft;

import io.redisraft.logging.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
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

    private static List<String> ids(List<RaftPeer> peers) {
        return peers.stream().map(p -> p.getId().toString()).toList();
    }

    /** The voting members of the current configuration. */
    List<RaftPeer> voters() {
        return new ArrayList<>(division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER));
    }

    Optional<RaftPeer> peer(RaftPeerId id) {
        return Optional.ofNullable(division.getRaftConf().getPeer(id, RaftPeerRole.FOLLOWER));
    }

    /** A change refused because another one is in progress (RedisRaft's reply text). */
    static final class OtherChangeInProgress extends IllegalStateException {
        OtherChangeInProgress() {
            super("one voting change only");
        }
    }

    /**
     * Leader only: completes once the node has caught up and the configuration with it is
     * committed. Waits while another change is in progress (joins queue up).
     */
    CompletableFuture<Void> add(RaftPeer peer) {
        return change(true, current -> {
            List<RaftPeer> next = new ArrayList<>(current);
            next.removeIf(p -> p.getId().equals(peer.getId()));
            next.add(peer);
            return next;
        });
    }

    /** Leader only: fails with {@link OtherChangeInProgress} while another change is in progress, as RedisRaft. */
    CompletableFuture<Void> remove(RaftPeerId id) {
        return change(false, current -> {
            List<RaftPeer> next = new ArrayList<>(current);
            next.removeIf(p -> p.getId().equals(id));
            return next;
        });
    }

    /**
     * Applies a change to the membership. Each attempt computes the new membership from
     * the configuration current at that moment and sets it only if that configuration is
     * still current when Ratis applies it (compare-and-set), so two changes never undo
     * each other: a change made meanwhile (a join, a removal) makes the attempt fail and
     * the next one includes it. One change at a time: while another is in progress, a change
     * waits ({@code wait}) or fails.
     */
    private CompletableFuture<Void> change(boolean wait, UnaryOperator<List<RaftPeer>> update) {
        return attempt(wait, update, System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS));
    }

    private CompletableFuture<Void> attempt(boolean wait, UnaryOperator<List<RaftPeer>> update, long deadline) {
        List<RaftPeer> current = voters();
        List<RaftPeer> next = update.apply(current);
        Trace.NODE.log(() -> "configuration change: " + ids(current) + " -> " + ids(next));
        return requests.setConfiguration(current, next).handle((reply, error) -> {
            Throwable e = RaftFailures.failure(reply, error);
            if (e == null) return CompletableFuture.<Void>completedFuture(null);
            boolean inProgress = e instanceof ReconfigurationInProgressException;
            if (inProgress && !wait) return CompletableFuture.<Void>failedFuture(new OtherChangeInProgress());
            boolean retry = inProgress || (e instanceof SetConfigurationException
                    && String.valueOf(e.getMessage()).contains("is different than the request"));
            if (retry && System.nanoTime() < deadline) {
                Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(() -> null, later)
                        .thenCompose(v -> attempt(wait, update, deadline));
            }
            return CompletableFuture.<Void>failedFuture(
                    new IllegalStateException(e.getMessage() == null ? "configuration change refused" : e.getMessage(), e));
        }).thenCompose(f -> f);
    }
}
