package io.redisraft.proxy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Sends the log entries a follower writes (raft.follower-proxy) to the leader, through
 * a Ratis client that finds the leader and follows it when it changes. The entry is
 * then applied on every node like any other, and the follower answers its clients when
 * it applies the entry itself, so a client reads its own writes there. A send that has
 * no reply within the timeout fails with a {@link java.util.concurrent.TimeoutException},
 * any other failure with a {@link SendFailure}: either way the entry may still be
 * committed later (a leader may have appended it before failing). Counts what INFO raft
 * reports as raft_proxy_*. Any thread.
 * <p>A Ratis client sends writes in order through one sliding window, and once a send in
 * it has failed for good (retries used up), the window refuses every later send. So a
 * client that failed a send is retired: later sends get a new client, and the old one is
 * closed once its sends still in flight have had their time.
 */
public final class FollowerProxy implements AutoCloseable {
    /** A send that failed otherwise than by timing out; whether the entry will be committed is unknown. */
    public static final class SendFailure extends Exception {
        SendFailure(Throwable cause) {
            super(String.valueOf(cause), cause);
        }
    }

    /** raft_proxy_reqs, raft_proxy_failed_reqs, raft_proxy_failed_responses, raft_proxy_outstanding_reqs. */
    public record Counters(long requests, long failedRequests, long failedResponses, long outstanding) {}

    private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);

    private final Supplier<RaftGroup> group;
    private final Supplier<RaftPeerId> leader;
    private final SupportedRpcType transport;
    private final Supplier<Parameters> parameters;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicLong failedResponses = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    // Guarded by this: the client, for the members it was built for.
    private RaftClient client;
    private HashSet<RaftPeerId> clientMembers;
    private long clientTimeoutMs;

    /**
     * {@code group}: the current members; {@code leader}: who leads now, as far as this node
     * knows (or null); {@code transport}: the one the members' Raft ports speak, with
     * {@code parameters} (TLS).
     */
    public FollowerProxy(Supplier<RaftGroup> group, Supplier<RaftPeerId> leader, SupportedRpcType transport,
                         Supplier<Parameters> parameters) {
        this.group = group;
        this.leader = leader;
        this.transport = transport;
        this.parameters = parameters;
    }

    /** Sends an entry carrying {@code commands} client commands; the reply comes once the leader applied it. */
    public CompletableFuture<RaftClientReply> send(byte[] entry, int commands, long timeoutMs) {
        RaftClient c;
        try {
            c = client(timeoutMs);
        } catch (RuntimeException e) {
            failedRequests.incrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        requests.addAndGet(commands);
        outstanding.incrementAndGet();
        CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        c.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)))
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .whenComplete((reply, error) -> {
                    outstanding.decrementAndGet();
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause == null && reply != null && reply.isSuccess()) {
                        result.complete(reply);
                        return;
                    }
                    failedResponses.incrementAndGet();
                    retire(c, timeoutMs);
                    if (cause == null) cause = reply == null ? new IllegalStateException("no reply") : reply.getException();
                    result.completeExceptionally(cause instanceof TimeoutException ? cause : new SendFailure(cause));
                });
        return result;
    }

    public Counters counters() {
        return new Counters(requests.get(), failedRequests.get(), failedResponses.get(), outstanding.get());
    }

    /** The client for the current members (a new one when they or the timeout changed). */
    private synchronized RaftClient client(long timeoutMs) {
        RaftGroup named = group.get();
        HashSet<RaftPeerId> members = new HashSet<>();
        // The client must reach the Raft ports; a member's client address is its Redis address.
        List<RaftPeer> raftPorts = new ArrayList<>();
        for (RaftPeer p : named.getPeers()) {
            members.add(p.getId());
            raftPorts.add(RaftPeer.newBuilder().setId(p.getId()).setAddress(p.getAddress()).build());
        }
        RaftGroup current = RaftGroup.valueOf(named.getGroupId(), raftPorts);
        if (client != null && members.equals(clientMembers) && timeoutMs == clientTimeoutMs) return client;
        closeClient();
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, transport);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(timeoutMs, TimeUnit.MILLISECONDS));
        int attempts = (int) Math.max(1, timeoutMs / RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS));
        client = RaftClient.newBuilder()
                .setRaftGroup(current)
                .setLeaderId(leader.get())
                .setProperties(properties)
                .setParameters(parameters.get())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts, RETRY_SLEEP))
                .build();
        clientMembers = members;
        clientTimeoutMs = timeoutMs;
        return client;
    }

    /** Stops using {@code failed} for new sends, if it is still the current client. */
    private synchronized void retire(RaftClient failed, long timeoutMs) {
        if (client != failed) return;
        client = null;
        CompletableFuture.delayedExecutor(2 * timeoutMs, TimeUnit.MILLISECONDS).execute(() -> close(failed));
    }

    private void closeClient() {
        if (client == null) return;
        close(client);
        client = null;
    }

    private static void close(RaftClient c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public synchronized void close() {
        closeClient();
    }
}
