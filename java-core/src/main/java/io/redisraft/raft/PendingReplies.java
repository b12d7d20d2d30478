package io.redisraft.raft;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.resp.Resp;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Clients of this node waiting for their command to be committed and applied.
 * Each gets a sequence number that travels in the log entry (with this process's
 * random {@link #origin()}), so the node that applies the entry knows whom to answer.
 * Whoever removes a client from the map -- the apply path or a failure -- answers it,
 * exactly once.
 */
public final class PendingReplies {
    private final RedisApi redis;
    private final long origin;
    private final ConcurrentHashMap<Long, BlockedClient> waiting = new ConcurrentHashMap<>();
    /** The module's own units whose application someone awaits here: true once applied, false if failed. */
    private final ConcurrentHashMap<Long, Consumer<Boolean>> own = new ConcurrentHashMap<>();
    private long nextSequence = 1; // main thread only
    private volatile Consumer<BlockedClient> onFailed = client -> { };

    public PendingReplies(RedisApi redis) {
        this.redis = redis;
        long o;
        do {
            o = new SecureRandom().nextLong();
        } while (o == 0);
        this.origin = o;
    }

    public long origin() {
        return origin;
    }

    /** Main thread: registers a waiting client and returns its sequence number. */
    public long register(BlockedClient client) {
        long seq = nextSequence++;
        waiting.put(seq, client);
        return seq;
    }

    /** Main thread: a sequence number for a unit nobody waits for (the module's own writes). */
    public long registerNobody() {
        return nextSequence++;
    }

    /** Main thread: a sequence number for a unit of the module's own; {@code applied} learns whether it was applied here. */
    public long registerOwn(Consumer<Boolean> applied) {
        long seq = nextSequence++;
        own.put(seq, applied);
        return seq;
    }

    /** Main thread: who awaits units first..first+count-1 of an entry applied here (usually nobody). */
    public List<Consumer<Boolean>> takeOwn(long entryOrigin, long first, int count) {
        if (entryOrigin != origin || own.isEmpty()) return List.of();
        List<Consumer<Boolean>> found = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Consumer<Boolean> c = own.remove(first + i);
            if (c != null) found.add(c);
        }
        return found;
    }

    /** Main thread: the clients of units first..first+count-1 of an entry (0 where none waits here). */
    public long[] take(long entryOrigin, long first, int count) {
        long[] targets = new long[count];
        if (entryOrigin != origin) return targets;
        for (int i = 0; i < count; i++) {
            BlockedClient c = waiting.remove(first + i);
            if (c != null) targets[i] = c.handle();
        }
        return targets;
    }

    /** Any thread: answers a client with an error if it is still waiting. */
    public void fail(long sequence, Resp error) {
        Consumer<Boolean> awaited = own.remove(sequence);
        if (awaited != null) awaited.accept(false);
        BlockedClient c = waiting.remove(sequence);
        if (c == null) return;
        redis.unblock(c, error);
        onFailed.accept(c);
    }

    /** Any thread: {@code listener} learns every client answered with an error here. */
    void onFailed(Consumer<BlockedClient> listener) {
        this.onFailed = listener;
    }

    /** Any thread: answers every waiting client with an error. */
    public void failAll(Resp error) {
        for (Long seq : waiting.keySet()) fail(seq, error);
        for (Long seq : own.keySet()) fail(seq, error);
    }

    public int size() {
        return waiting.size();
    }
}
