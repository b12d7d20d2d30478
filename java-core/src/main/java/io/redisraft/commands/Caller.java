package io.redisraft.commands;

/** The client of a module command: its context handle (valid during the call), id and context flags. */
public record Caller(long ctx, long clientId, int contextFlags) {
    private static final int FLAG_OOM = 1 << 10;
    private static final int FLAG_RESP3 = 1 << 22;

    public boolean resp3() {
        return (contextFlags & FLAG_RESP3) != 0;
    }

    /** Redis is above maxmemory. */
    public boolean outOfMemory() {
        return (contextFlags & FLAG_OOM) != 0;
    }
}
