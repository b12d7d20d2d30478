package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;

/**
 * Whether this leader may read without a round trip: its lease.
 *
 * <p>The lease is built only from this node's own committed entries. An entry submitted
 * at time s in term T that commits proves that a majority accepted term T at or after
 * s; those nodes reset their election timers then, and with pre-vote none of them
 * helps elect another leader before s + the minimum election timeout. The lease thus
 * lasts a fraction of that timeout after the submission of the newest committed entry
 * (writes, and the read path's barriers, keep extending it). Replies Ratis counts for
 * its own lease, rejections included, play no part.
 *
 * <p>The lease is void as soon as this node is no longer leader of that term or Ratis
 * is stepping it down, and for a while after any leadership transfer it started: the
 * transfer's target campaigns without pre-vote and may still win after the transfer
 * timed out. Without pre-vote (a raft.jvm-options override can turn it off) there is
 * no lease at all and every read takes a barrier.
 */
final class LeaderLease {
    /** Fraction of the minimum election timeout a lease lasts (margin for clock drift and scheduling). */
    static final double RATIO = 0.8;

    private final RaftServer.Division division;
    private final long leaseNanos;
    private final long transferQuarantineNanos;
    private final boolean preVote;
    // Guarded by this.
    private long term = -1;
    private long validUntil;
    private long transferQuarantineUntil;
    private boolean transferring;

    LeaderLease(RaftServer.Division division) {
        this.division = division;
        long minTimeoutMs = division.properties().minRpcTimeoutMs();
        long maxTimeoutMs = division.properties().maxRpcTimeoutMs();
        this.leaseNanos = TimeUnit.MILLISECONDS.toNanos((long) (minTimeoutMs * RATIO));
        this.transferQuarantineNanos = TimeUnit.MILLISECONDS.toNanos(2 * maxTimeoutMs);
        this.preVote = RaftServerConfigKeys.LeaderElection.preVote(division.getRaftServer().getProperties());
        if (!preVote) RedisLog.warning("Ratis pre-vote is off: no leader lease, every read takes a barrier entry");
    }

    /** The term of this node's leadership right now, or -1 if it is not the leader. */
    long leaderTerm() {
        var info = division.getInfo();
        return info.isLeader() ? info.getCurrentTerm() : -1;
    }

    /** An entry this node submitted at {@code submittedNanos} (System.nanoTime) in {@code term} committed. */
    synchronized void committed(long term, long submittedNanos) {
        if (term < 0 || term != leaderTerm()) return;
        long until = submittedNanos + leaseNanos;
        if (term != this.term || until - validUntil > 0) {
            this.term = term;
            this.validUntil = until;
        }
    }

    /** A leadership transfer starts: no lease until it is over and its target can no longer win. */
    synchronized void transferStarted() {
        transferring = true;
    }

    synchronized boolean transferring() {
        return transferring;
    }

    synchronized void transferEnded() {
        transferring = false;
        transferQuarantineUntil = System.nanoTime() + transferQuarantineNanos;
    }

    synchronized boolean held() {
        if (!preVote || transferring || term < 0) return false;
        long now = System.nanoTime();
        if (now - validUntil >= 0 || now - transferQuarantineUntil < 0) return false;
        return term == leaderTerm() && division.getInfo().isLeaderReady() && !RatisInternals.steppingDown(division);
    }
}
