package io.redisraft.logging;

import java.util.List;
import java.util.function.Supplier;

/**
 * raft.trace categories (RedisRaft's names and bits) and what each makes the log show at
 * raft.loglevel debug: Ratis's own debug output for the part of Ratis the category covers,
 * and the module's trace lines of that category.
 */
public enum Trace {
    /** Node to node traffic: AppendEntries and votes sent to each peer. */
    NODE(1, List.of("org.apache.ratis.server.leader", "org.apache.ratis.netty.server", "org.apache.ratis.grpc.server")),
    /** Connections: Netty (or gRPC) channels between nodes and the module's RESP connections (join, node shutdown). */
    CONN(2, List.of("org.apache.ratis.netty.NettyRpcProxy", "org.apache.ratis.netty.NettyClient",
            "org.apache.ratis.grpc.client", "org.apache.ratis.grpc.GrpcUtil", "org.apache.ratis.thirdparty.io.grpc")),
    /** The Raft library itself: roles, elections, configuration, commits, state machine updates. */
    RAFTLIB(4, List.of("org.apache.ratis.server.impl", "org.apache.ratis.statemachine")),
    /** The Raft log: segments, appends, flushes, purges, its cache. */
    RAFTLOG(8, List.of("org.apache.ratis.server.raftlog", "org.apache.ratis.server.storage")),
    /** The module's requests: log entries submitted and completed, reads and their barriers. */
    GENERIC(16, List.of()),
    /** Slot migration (sharding). */
    MIGRATION(32, List.of());

    private final long bit;
    private final List<String> ratisLoggers;

    Trace(long bit, List<String> ratisLoggers) {
        this.bit = bit;
        this.ratisLoggers = ratisLoggers;
    }

    public long bit() {
        return bit;
    }

    /** Logger name prefixes of Ratis (shaded names included) this category shows at debug level. */
    public List<String> ratisLoggers() {
        return ratisLoggers;
    }

    private static volatile long enabled;

    public static void setEnabled(long mask) {
        enabled = mask;
    }

    public boolean on() {
        return (enabled & bit) != 0 && RedisLog.enabled(RedisLog.DEBUG);
    }

    /** A trace line of this category (debug level, only while the category is on; built only then). */
    public void log(Supplier<String> message) {
        if (on()) RedisLog.debug("<" + name().toLowerCase() + "> " + message.get());
    }
}
