package io.redisraft.pubsub;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.resp.Resp;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Messages are published by the leader only (PUBLISH is served there), so, as in
 * RedisRaft, only the ready leader takes subscriptions: elsewhere SUBSCRIBE, SSUBSCRIBE
 * and PSUBSCRIBE answer why this node does not serve (-MOVED to the leader,
 * -CLUSTERDOWN, -NOCLUSTER ...) instead of accepting a subscriber that would never get
 * a message. A leader that stops serving disconnects its subscribers, as RedisRaft
 * does. The shim's filter decides from the refusal pushed here, refreshed when Ratis
 * reports a leader change and on every housekeeping tick.
 */
public final class SubscribeGate {
    private final RedisApi redis;
    private final MainThread mainThread;
    private final Supplier<Resp> refusal;
    private final AtomicBoolean queued = new AtomicBoolean();
    private String pushed = "";

    /** {@code refusal}: main thread, null while this node serves clients, else the error they get. */
    public SubscribeGate(RedisApi redis, MainThread mainThread, Supplier<Resp> refusal) {
        this.redis = redis;
        this.mainThread = mainThread;
        this.refusal = refusal;
    }

    /** Any thread: brings the shim's refusal up to date on the main thread. */
    public void refresh() {
        if (!queued.compareAndSet(false, true)) return;
        mainThread.execute(() -> {
            queued.set(false);
            Resp now = refusal.get();
            String error = now instanceof Resp.Error e ? e.message() : now == null ? null : "CLUSTERDOWN No raft leader";
            if (Objects.equals(error, pushed)) return;
            boolean wasServing = pushed == null;
            pushed = error;
            redis.shim().rr_set_subscribe_refusal(error);
            // Its subscribers would get nothing more: they reconnect and find the new leader.
            if (wasServing && error != null) redis.call("CLIENT", "KILL", "TYPE", "pubsub");
        });
    }
}
