package io.redisraft.raft;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Maps raft.* options onto Ratis settings (the table is in the README):
 * <ul>
 * <li>election-timeout E: election timeout between E and 2E; Ratis derives
 *     heartbeats from it (every E/2).</li>
 * <li>response-timeout: an AppendEntries left unanswered this long (at least E)
 *     counts as failed and the stream is reset (Ratis rpc.request.timeout).</li>
 * <li>request-timeout: after a failed AppendEntries, the wait before it is sent
 *     again (first step of Ratis's appender retry policy).</li>
 * <li>periodic-interval: Ratis's retry sleep; also the period of this module's
 *     housekeeping.</li>
 * <li>connection-timeout: node-to-node RESP connections, and how long a snapshot
 *     transfer may go without a reply before it is restarted.</li>
 * <li>append-req-max-size / snapshot-req-max-size: bytes per AppendEntries / snapshot
 *     chunk; append-req-max-count / snapshot-req-max-count: how many of them may be in
 *     flight per follower (gRPC transport only: Ratis's Netty appender sends one at a
 *     time).</li>
 * <li>log-fsync no: entries count as written before fsync completes.</li>
 * </ul>
 * The transport between nodes is {@link RaftTransport}'s choice.
 * The settings are read when the Raft server starts.
 */
public final class RatisProperties {
    /** Largest log entry (and AppendEntries message) unless append-req-max-size is larger. */
    static final long MIN_ENTRY_LIMIT = 8L << 20;

    static final String OVERRIDE_PREFIX = "ratis.";

    private RatisProperties() {}

    /**
     * Ratis keeps the open log segment whole on the heap, and a snapshot cannot purge it: a
     * segment is at most a sixty-fourth of the heap, a quarter of log-max-file-size, and
     * 32 MB. Ratis counts an entry's bytes on disk, but a small one (one command, ~130 bytes)
     * takes about five times that on the heap (SnapshotManager.HEAP_BYTES_PER_ENTRY), so
     * a segment of small entries holds up to a twelfth of the heap. (An eighth of the heap held
     * 114,000 small entries, 85 MB of a 128 MB heap, and the node stopped serving.)
     */
    static long segmentSize(long maxLogFile, long heap) {
        return Math.max(256L << 10, Math.min(Math.min(32L << 20, maxLogFile / 4), heap / 64));
    }

    /**
     * Closed segments cached on the heap: log-max-cache-size, but at most a thirty-second of
     * the heap as Ratis counts it (five times that for small entries), so that the cache
     * cannot exhaust it (the node would stop serving).
     */
    static long cacheSize(long configured, long segment, long heap) {
        return Math.max(segment, Math.min(configured, heap / 32));
    }

    public static long entryLimit(RaftConfig config) {
        return Math.max(MIN_ENTRY_LIMIT, config.number(ConfigOption.APPEND_REQ_MAX_SIZE));
    }

    /** Longest message a member sends to another's Raft port: an entry or snapshot chunk, and its envelope. */
    static long messageLimit(RaftConfig config) {
        return Math.max(entryLimit(config), config.number(ConfigOption.SNAPSHOT_REQ_MAX_SIZE)) + (2L << 20);
    }

    static RaftProperties build(RaftConfig config, File storageDir, String bindHost, int port,
                                RaftTransport transport) {
        RaftProperties p = new RaftProperties();
        long heap = Runtime.getRuntime().maxMemory();
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
        long election = config.number(ConfigOption.ELECTION_TIMEOUT);
        TimeDuration responseTimeout = ms(Math.max(election, config.number(ConfigOption.RESPONSE_TIMEOUT)));
        if (transport.type() == SupportedRpcType.GRPC) {
            RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
            GrpcConfigKeys.Server.setHost(p, bindHost);
            GrpcConfigKeys.Server.setPort(p, port);
        } else {
            RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
            NettyConfigKeys.Server.setHost(p, bindHost);
            NettyConfigKeys.Server.setPort(p, port);
            // Netty's node-to-node calls wait this long for a reply (Ratis takes it from the client keys).
            RaftClientConfigKeys.Rpc.setRequestTimeout(p, responseTimeout);
        }

        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(election));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(2 * election));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, responseTimeout);
        // After a failed AppendEntries the appender waits request-timeout before resending
        // (the first ten times; then 1 s, then 5 s, as Ratis's default policy does).
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p,
                config.number(ConfigOption.REQUEST_TIMEOUT) + "ms,10, 1s,20, 5s,1000");
        RaftServerConfigKeys.Rpc.setSleepTime(p, ms(config.number(ConfigOption.PERIODIC_INTERVAL)));
        // A paused process (SIGSTOP, long GC) must come back as a member, never close itself.
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(365, TimeUnit.DAYS));

        // Reads use the leader lease (see LeaderLease); Ratis's own read requests are not used.
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Read.setLeaderLeaseTimeoutRatio(p, 0.8);

        long entryLimit = entryLimit(config);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryLimit));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryLimit + 64));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(messageLimit(config)));
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p,
                (int) Math.max(2, config.number(ConfigOption.APPEND_REQ_MAX_COUNT)));

        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, !config.flag(ConfigOption.LOG_FSYNC));
        // No METADATA entry per commit: one Raft entry per batch of commands is enough.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // A follower appends each AppendEntries on its own, not chained after the previous
        // append (Ratis's "compose", its default): one failed append poisons that chain for
        // good, and the follower fails every later append with the same error until it is
        // restarted. A stale AppendEntries read after a pause, racing its retry, did that in
        // the fault suite (a follower stuck for minutes at index 353 while the others went on).
        // Unchained, two racing appends fail one of them, and the leader sends it again.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
        long segment = segmentSize(config.number(ConfigOption.LOG_MAX_FILE_SIZE), heap);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(segment));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(segment, 4L << 20)));
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p,
                SizeInBytes.valueOf(cacheSize(config.number(ConfigOption.LOG_MAX_CACHE_SIZE), segment, heap)));
        RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        // As in RedisRaft, a snapshot replaces the log before it even if a follower still
        // needs part of it (that follower gets the snapshot): a node that is down must not
        // make the log grow without bound.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // Requests are never retried by this module, so replies need not be cached long.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(10, TimeUnit.SECONDS));

        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p,
                SizeInBytes.valueOf(config.number(ConfigOption.SNAPSHOT_REQ_MAX_SIZE)));
        int chunksInFlight = (int) config.number(ConfigOption.SNAPSHOT_REQ_MAX_COUNT);
        GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, chunksInFlight);
        // Ratis gives a snapshot stream (timeout x chunks in flight) to get a reply before it
        // declares the stream dead; until then a broken transfer blocks that follower's
        // appender. Keep the whole window at connection-timeout (at least 2 election timeouts).
        long streamWindow = Math.max(config.number(ConfigOption.CONNECTION_TIMEOUT), 2 * election);
        GrpcConfigKeys.Server.setInstallSnapshotRequestTimeout(p, ms(Math.max(100, streamWindow / chunksInFlight)));
        // Snapshots are taken by the module (fork + RDB), never by Ratis on its own.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);

        // A joining node may need a whole snapshot before it counts as caught up.
        RaftServerConfigKeys.setStagingTimeout(p,
                ms(Math.max(config.number(ConfigOption.JOIN_TIMEOUT), 6 * election)));

        // Escape hatch for tuning: -Dratis.<ratis key>=<value> in raft.jvm-options overrides any Ratis key.
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(OVERRIDE_PREFIX)) p.set(name.substring(OVERRIDE_PREFIX.length()), System.getProperty(name));
        }
        return p;
    }

    private static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }
}
