package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.logging.RedisLog;
import io.redisraft.snapshot.SnapshotFiles;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
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
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
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

        /**
         * A configuration entry was applied: {@code members} are the voters it makes (the new
         * ones, if it is a joint configuration), {@code named} every node it names, {@code joint}
         * whether it is a joint one (a change in progress), {@code latest} whether it is the
         * newest configuration in this node's log (not an older one replayed after a restart).
         */
        void configurationChanged(Set<Integer> members, Set<Integer> named, boolean joint, boolean latest);

        /** Ratis closed this member, e.g. because it was removed from the cluster. */
        void memberShutdown(boolean removed);

        /** Main thread: a committed entry could not be applied here (the applier has stopped). */
        void applyFailed(String why);

        /** This node, leader, applied an entry of its term: it may serve commands. */
        void leaderReady();
    }

    private final MainThread mainThread;
    private final EntryApplier applier;
    private final SnapshotStore snapshots;
    private final SnapshotManager snapshotManager;
    private final Listener listener;
    private final EntryClock clock;
    /** This process's entries (see LogEntry); others' reach the leader from followers that proxy. */
    private final long origin;
    private RaftServer.Division division;
    /** raft.log-disable-apply; guarded by itself. */
    private final Object applyGate = new Object();
    private boolean applyDisabled;

    public RedisStateMachine(MainThread mainThread, EntryApplier applier, SnapshotStore snapshots,
                             SnapshotManager snapshotManager, Listener listener, EntryClock clock, long origin) {
        this.clock = clock;
        this.origin = origin;
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

    /**
     * Leader: an entry written on a follower (raft.follower-proxy) carries that follower's
     * clock; it gets the leader's, as every other entry has.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        ByteString content = request.getMessage().getContent();
        if (ours(content)) return super.startTransaction(request);
        byte[] restamped;
        try {
            restamped = LogEntry.withTime(content.toByteArray(), clock.next());
        } catch (IllegalArgumentException e) {
            throw new IOException("not a log entry of this module: " + e.getMessage());
        }
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(UnsafeByteOperations.unsafeWrap(restamped))
                .build();
    }

    /** Whether the entry was written by this process (see LogEntry's origin). */
    private boolean ours(ByteString entry) {
        return entry.size() >= LogEntry.HEADER_SIZE
                && entry.substring(1, 9).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong() == origin;
    }

    /** This member of the group, looked up once (Ratis's apply thread; a racing second lookup finds the same). */
    private Optional<RaftServer.Division> division() {
        if (division == null) {
            try {
                division = getServer().join().getDivision(getGroupId());
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(division);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        byte[] payload = entry.getStateMachineLogEntry().getLogData().toByteArray();
        if (trx.getServerRole() == RaftPeerRole.LEADER && !ours(entry.getStateMachineLogEntry().getLogData())) {
            // A follower waits for this entry (its own client's, or its read barrier).
            division().ifPresent(RatisInternals::sendHeartbeatsNow);
        }
        CompletableFuture<Message> applied = new CompletableFuture<>();
        inLogOrder(() -> {
            try {
                applier.apply(index, term, payload);
                updateLastAppliedTermIndex(term, index);
                applied.complete(Message.EMPTY);
            } catch (RuntimeException | Error e) {
                failed(applied, e);
            }
        });
        return applied;
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        inLogOrder(() -> {
            try {
                applier.advance(index, term);
                updateLastAppliedTermIndex(term, index);
            } catch (RuntimeException | Error e) {
                failed(null, e);
            }
        });
    }

    /** Runs an apply step on the main thread after those before it. */
    private void inLogOrder(Runnable step) {
        awaitApplyEnabled();
        mainThread.execute(step);
    }

    /**
     * raft.log-disable-apply (a test hook, as in RedisRaft): no committed entry is applied,
     * configuration entries included, until it is turned off. Ratis's apply thread waits
     * here, so a leader elected meanwhile does not become ready either.
     */
    void setApplyDisabled(boolean disabled) {
        synchronized (applyGate) {
            applyDisabled = disabled;
            applyGate.notifyAll();
        }
    }

    /** Ratis's apply thread: waits while applying is disabled (an interrupt, at close, ends the wait). */
    private void awaitApplyEnabled() {
        synchronized (applyGate) {
            while (applyDisabled) {
                try {
                    applyGate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Never counted as applied: the node stops instead of serving a dataset the others do not have. */
    private void failed(CompletableFuture<Message> applied, Throwable e) {
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
    public void notifyLeaderReady() {
        listener.leaderReady();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        listener.leaderChanged(newLeaderId);
    }

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto conf) {
        awaitApplyEnabled();
        Set<Integer> members = ids(conf.getPeersList());
        Set<Integer> named = new HashSet<>(members);
        named.addAll(ids(conf.getOldPeersList()));
        named.addAll(ids(conf.getListenersList()));
        named.addAll(ids(conf.getOldListenersList()));
        listener.configurationChanged(members, named, !conf.getOldPeersList().isEmpty(),
                index >= newestConfigurationIndex());
    }

    /** The log index of the newest configuration this member knows (Ratis uses a configuration once appended). */
    private long newestConfigurationIndex() {
        return division().map(d -> d.getRaftConf().getLogEntryIndex()).orElse(Long.MAX_VALUE);
    }

    private static Set<Integer> ids(List<RaftPeerProto> peers) {
        Set<Integer> ids = new HashSet<>();
        for (RaftPeerProto p : peers) {
            try {
                ids.add(Integer.parseInt(p.getId().toStringUtf8()));
            } catch (NumberFormatException e) {
                // not one of this module's node ids
            }
        }
        return ids;
    }

    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        RedisLog.verbose("Ratis shut this member down (role " + roleInfo.getRole() + ")");
        listener.memberShutdown(!allServer);
    }
}
