package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import java.util.function.Function;

/**
 * Commands that reach a newly elected leader before it is ready (see RaftNode#becomingLeader)
 * wait for it instead of failing, as client and admin commands alike: RedisRaft answered
 * CLUSTERDOWN at once. What a command checks then (the ids used so far, ...) is up to date.
 * Main thread.
 */
final class LeaderWait {
    private final RedisApi redis;
    private final RaftNode node;

    LeaderWait(RedisApi redis, RaftNode node) {
        this.redis = redis;
        this.node = node;
    }

    /** How a command answers later: by blocking its client now, or through the client blocked while it waited. */
    static final class Deferred {
        private final RedisApi redis;
        private final long ctx;
        private final BlockedClient waited;

        private Deferred(RedisApi redis, long ctx, BlockedClient waited) {
            this.redis = redis;
            this.ctx = ctx;
            this.waited = waited;
        }

        BlockedClient block() {
            return waited != null ? waited : redis.block(ctx);
        }

        /** The client was blocked while the command waited: its command context is gone. */
        boolean waited() {
            return waited != null;
        }
    }

    /**
     * Runs {@code command} now, or once this node is a ready leader (or gave up waiting).
     * The command returns its reply, or null if it answers later through its {@link Deferred}.
     */
    Resp run(Caller caller, Function<Deferred, Resp> command) {
        if (!node.becomingLeader()) return command.apply(new Deferred(redis, caller.ctx(), null));
        BlockedClient client = redis.block(caller.ctx());
        node.whenLeaderReady(ready -> {
            Resp now = command.apply(new Deferred(redis, 0, client));
            if (now != null) redis.unblock(client, now);
        });
        return null;
    }
}
