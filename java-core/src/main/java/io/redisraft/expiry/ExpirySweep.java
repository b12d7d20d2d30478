package io.redisraft.expiry;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.raft.RaftNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The leader's active expiry. Keys expire on every node when a log entry names them
 * past their deadline (see {@link Deadlines}); keys nobody touches again are found by
 * this sweep: on each housekeeping tick the leader scans part of one database and
 * replicates RAFT._EXPIRE with the keys past their deadline, which every node then
 * deletes (those still past their deadline at that entry's time). It moves on to the
 * next database when it has scanned the whole of one (at once if it has no deadlines).
 */
public final class ExpirySweep {
    /** Keys scanned per tick (about ten ticks a second by default). */
    static final int SCAN_BUDGET = 1000;
    private static final byte[] EXPIRE = "RAFT._EXPIRE".getBytes(StandardCharsets.UTF_8);

    private final RedisApi redis;
    private final MainThread mainThread;
    private final RaftNode node;
    private final AtomicBoolean queued = new AtomicBoolean();
    private int databases = -1;
    private int db;

    public ExpirySweep(RedisApi redis, MainThread mainThread, RaftNode node) {
        this.redis = redis;
        this.mainThread = mainThread;
        this.node = node;
    }

    /** Any thread (housekeeping): sweeps once on the main thread if this node is the leader. */
    public void tick() {
        if (!node.isLeaderReady() || !queued.compareAndSet(false, true)) return;
        mainThread.execute(() -> {
            queued.set(false);
            if (node.isLeaderReady()) sweep();
        });
    }

    private void sweep() {
        if (databases < 0) databases = Math.max(1, Integer.parseInt(redis.config("databases")));
        int swept = db;
        RedisApi.DueKeys found = redis.scanDueKeys(swept, SCAN_BUDGET, node.logTime());
        if (found.scanComplete()) db = (db + 1) % databases;
        if (found.keys().isEmpty()) return;
        List<byte[]> argv = new ArrayList<>(found.keys().size() + 1);
        argv.add(EXPIRE);
        argv.addAll(found.keys());
        node.writeInternal(CommandCodec.encodeUnit(0, swept, argv.toArray(new byte[0][])));
    }
}
