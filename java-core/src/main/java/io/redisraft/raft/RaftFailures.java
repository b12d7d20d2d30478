package io.redisraft.raft;

import io.redisraft.proxy.FollowerProxy;
import io.redisraft.resp.Resp;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;

/** Turns failed Ratis requests into the error replies RedisRaft clients expect. */
final class RaftFailures {
    static final Resp NOT_COMMITTED = Resp.error("TIMEOUT not committed yet");
    static final Resp NO_LEADER = Resp.error("CLUSTERDOWN No raft leader");
    static final Resp NO_READ_QUORUM = Resp.error("TIMEOUT no quorum for read");
    /** A follower that proxies (raft.follower-proxy) heard nothing from the leader in time (RedisRaft's words). */
    static final Resp PROXY_TIMEOUT = Resp.error("TIMEOUT no reply from leader");
    /** RedisRaft's reply to writes while the leader hands over (the write was not appended). */
    static final Resp TRANSFER_IN_PROGRESS = Resp.error("ERR leader transfer is in progress");

    private RaftFailures() {}

    /** The failure of a request, or null if it succeeded. */
    static Throwable failure(RaftClientReply reply, Throwable error) {
        if (error != null) return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (reply == null) return new IllegalStateException("no reply");
        return reply.isSuccess() ? null : reply.getException();
    }

    /**
     * The reply for a write that failed. Only failures that happen before the entry
     * reaches the log may say so; anything else might still be committed later, so the
     * client is told the outcome is unknown.
     */
    static Resp forWrite(Throwable failure) {
        // Sent to the leader by a follower: whatever went wrong, the entry may have been appended.
        if (failure instanceof FollowerProxy.SendFailure) return NOT_COMMITTED;
        // Refused before the entry was appended: safe to retry. (NotLeaderException is not:
        // a deposed leader fails entries it had appended, which the next leader may commit.)
        if (failure instanceof LeaderNotReadyException) return NO_LEADER;
        if (failure instanceof LeaderSteppingDownException) return TRANSFER_IN_PROGRESS;
        if (failure instanceof ResourceUnavailableException) {
            return Resp.error("TRYAGAIN Raft write queue is full");
        }
        if (failure instanceof TimeoutException) return PROXY_TIMEOUT;
        return NOT_COMMITTED;
    }

    /** Reads have no effect, so a failed read can always be redirected or retried. */
    static Resp forRead(Throwable failure, Resp redirect) {
        if (failure instanceof NotLeaderException) return redirect;
        if (failure instanceof LeaderNotReadyException || failure instanceof LeaderSteppingDownException) {
            return NO_LEADER;
        }
        if (failure instanceof TimeoutException) return PROXY_TIMEOUT;
        return NO_READ_QUORUM;
    }
}
