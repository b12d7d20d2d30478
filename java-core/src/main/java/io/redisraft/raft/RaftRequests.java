package io.redisraft.raft;

import io.redisraft.proxy.FollowerProxy;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Submits requests to the local Ratis server directly (no network hop, no RaftClient);
 * on a follower that proxies (raft.follower-proxy), writes go to the leader instead
 * (proxy.FollowerProxy). Note that Ratis blocks the caller until a write is appended to
 * the local log, so callers use their own threads, never the Redis main thread.
 */
final class RaftRequests {
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    private volatile LeaderLease lease;
    private final FollowerProxy proxy;
    /** raft.proxy-response-timeout. */
    private final LongSupplier proxyTimeoutMs;

    RaftRequests(RaftServer server, RaftGroupId groupId, FollowerProxy proxy, LongSupplier proxyTimeoutMs) {
        this.server = server;
        this.groupId = groupId;
        this.proxy = proxy;
        this.proxyTimeoutMs = proxyTimeoutMs;
    }

    /** From now on, every write this node gets committed extends {@code lease}. */
    void extendOnCommit(LeaderLease lease) {
        this.lease = lease;
    }

    /**
     * Appends an entry; the future completes once it is committed and applied here (or failed).
     * On a follower, the entry goes to the leader, and the future completes once the leader
     * applied it (this node applies it when it learns it is committed).
     */
    CompletableFuture<RaftClientReply> write(byte[] payload) {
        if (!isLeader()) return proxy.send(payload, LogEntry.decode(payload).unitCount(), proxyTimeoutMs.getAsLong());
        LeaderLease l = lease;
        if (l == null) return submit(payload);
        long term = l.leaderTerm();
        long submitted = System.nanoTime();
        return submit(payload).whenComplete((reply, error) -> {
            if (error == null && reply != null && reply.isSuccess()) l.committed(term, submitted);
        });
    }

    private CompletableFuture<RaftClientReply> submit(byte[] payload) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(server.getId())
                .setGroupId(groupId)
                .setCallId(callId.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(payload)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private boolean isLeader() {
        try {
            return server.getDivision(groupId).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Has Ratis record the newest snapshot (StateMachine.takeSnapshot) and purge the log before it. */
    CompletableFuture<RaftClientReply> takeSnapshot(long timeoutMs) {
        SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(clientId, server.getId(), groupId,
                callId.incrementAndGet(), timeoutMs, 1);
        return server.snapshotManagementAsync(request);
    }

    /**
     * Leader only: replaces the membership {@code expected} by {@code voters} if the
     * configuration is still {@code expected} (compare-and-set); Ratis first catches up
     * voters new to it (staging).
     */
    CompletableFuture<RaftClientReply> setConfiguration(List<RaftPeer> expected, List<RaftPeer> voters) {
        SetConfigurationRequest request = new SetConfigurationRequest(clientId, server.getId(), groupId,
                callId.incrementAndGet(), SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(voters)
                        .setServersInCurrentConf(expected)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build());
        try {
            return server.setConfigurationAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Leader only: hands leadership to {@code target}. */
    CompletableFuture<RaftClientReply> transferLeadership(RaftPeerId target, long timeoutMs) {
        TransferLeadershipRequest request = new TransferLeadershipRequest(clientId, server.getId(), groupId,
                callId.incrementAndGet(), target, timeoutMs);
        try {
            return server.transferLeadershipAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

}
