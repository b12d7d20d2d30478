package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;

/**
 * The client of a module command: its context handle (valid during the call), id, context
 * flags, the result of the shim's access check of the command (security.Access), and the
 * database it has selected.
 */
public record Caller(long ctx, long clientId, int contextFlags, int security, int db) {
    private static final int FLAG_OOM = 1 << 10;

    public boolean resp3() {
        return (contextFlags & RedisApi.CONTEXT_RESP3) != 0;
    }

    /** Redis is above maxmemory. */
    public boolean outOfMemory() {
        return (contextFlags & FLAG_OOM) != 0;
    }
}
