package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.logging.RedisLog;
import io.redisraft.snapshot.SnapshotFiles;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.snapshot.SnapshotStore;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;

/**
 * The Ratis state machine: the Redis dataset itself. Ratis calls applyTransaction in
 * log order on its updater thread; each entry is handed to the Redis main thread
 * through {@link MainThread}, which executes entries in that same order, so the
 * returned futures complete in log order too. Index/term updates for entries that
 * carry no commands (configuration changes) take the same queue, so the last applied
 * index only ever grows.
 */
public final class RedisStateMachine extends BaseStateMachine {
    /** What the node reacts to besides applying entries. */
    public interface Listener {
        void leaderChanged(RaftPeerId leaderId);

        void configurationChanged();

        /** Ratis closed this member, e.g. because it was removed from the cluster. */
        void memberShutdown(boolean removed);

        /** Main thread: a committed entry could not be applied here (the applier has stopped). */
        void applyFailed(String why);
    }

    private final MainThread mainThread;
    private final EntryApplier applier;
    private final SnapshotStore snapshots;
    private final SnapshotManager snapshotManager;
    private final Listener listener;

    public RedisStateMachine(MainThread mainThread, EntryApplier applier, SnapshotStore snapshots,
                             SnapshotManager snapshotManager, Listener listener) {
        this.mainThread = mainThread;
        this.applier = applier;
        this.snapshots = snapshots;
        this.snapshotManager = snapshotManager;
        this.listener = listener;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, storage);
            snapshots.init(storage);
            SnapshotInfo latest = snapshots.getLatestSnapshot();
            // Ratis re-applies everything after its latest snapshot; the dataset was
            // brought to exactly that snapshot before the server started.
            TermIndex start = latest == null ? TermIndex.INITIAL_VALUE : latest.getTermIndex();
            setLastAppliedTermIndex(start);
            if (latest != null) mainThread.execute(() -> applier.reset(start.getIndex(), start.getTerm()));
        }, IOException.class);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return snapshots.getLatestSnapshot();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        byte[] payload = entry.getStateMachineLogEntry().getLogData().toByteArray();
        CompletableFuture<Message> applied = new CompletableFuture<>();
        mainThread.execute(() -> {
            try {
                applier.apply(index, term, payload);
                updateLastAppliedTermIndex(term, index);
                applied.complete(Message.EMPTY);
            } catch (RuntimeException e) {
                failed(applied, e);
            }
        });
        return applied;
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        mainThread.execute(() -> {
            try {
                applier.advance(index, term);
                updateLastAppliedTermIndex(term, index);
            } catch (RuntimeException e) {
                failed(null, e);
            }
        });
    }

    /** Never counted as applied: the node stops instead of serving a dataset the others do not have. */
    private void failed(CompletableFuture<Message> applied, RuntimeException e) {
        listener.applyFailed(applier.stopReason() != null ? applier.stopReason() : RedisLog.describe(e));
        if (applied != null) applied.completeExceptionally(e);
    }

    /** Reads run locally after Ratis confirmed the read index; the query itself does nothing. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() {
        // Snapshots are made by forking Redis, outside this call; Ratis only learns
        // which one is the newest so it can drop the log before it.
        long index = snapshots.promote();
        return index < 0 ? RaftLog.INVALID_LOG_INDEX : index;
    }

    @Override
    public synchronized void pause() {
        if (getLifeCycleState() != LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** A snapshot from the leader was installed in the storage: load it into Redis. */
    @Override
    public synchronized void reinitialize() throws IOException {
        snapshots.rescan();
        SnapshotFiles latest = snapshots.latestFiles();
        if (latest == null) throw new IOException("no snapshot to load after installation");
        snapshotManager.install(latest);
        setLastAppliedTermIndex(TermIndex.valueOf(latest.term(), latest.index()));
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        listener.leaderChanged(newLeaderId);
    }

    @Override
    public void notifyConfigurationChanged(long term, long index,
                                           org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
        listener.configurationChanged();
    }

    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        RedisLog.verbose("Ratis shut this member down (role " + roleInfo.getRole() + ")");
        listener.memberShutdown(!allServer);
    }
}
