package io.redisraft.expiry;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The leader's active expiry. Keys expire on every node when a log entry names them
 * past their deadline (see {@link Deadlines}); keys nobody touches again are found by
 * this sweep: on each housekeeping tick the leader scans part of its keyspace and
 * replicates RAFT._EXPIRE with the keys past their deadline, which every node then
 * deletes (those still past their deadline at that entry's time).
 */
public final class ExpirySweep {
    /** Keys scanned per tick (about ten ticks a second by default). */
    static final int SCAN_BUDGET = 1000;
    private static final byte[] EXPIRE = "RAFT._EXPIRE".getBytes(StandardCharsets.UTF_8);

    private final RedisApi redis;
    private final MainThread mainThread;
    private final RaftNode node;
    private final AtomicBoolean queued = new AtomicBoolean();

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
        List<Resp> due = redis.scanDueKeys(SCAN_BUDGET, node.logTime());
        if (due.isEmpty()) return;
        List<byte[]> argv = new ArrayList<>(due.size() + 1);
        argv.add(EXPIRE);
        for (Resp key : due) argv.add(((Resp.Bulk) key).bytes());
        node.writeInternal(CommandCodec.encodeUnit(0, argv.toArray(new byte[0][])));
    }
}
