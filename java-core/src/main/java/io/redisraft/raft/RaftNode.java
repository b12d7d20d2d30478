package io.redisraft.raft;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.bridge.RedisApi;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.info.LogStatistics;
import io.redisraft.logging.RedisLog;
import io.redisraft.proxy.FollowerProxy;
import io.redisraft.resp.Resp;
import io.redisraft.security.NodeTls;
import io.redisraft.snapshot.ClusterMetadata;
import io.redisraft.snapshot.SnapshotHost;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.snapshot.SnapshotStore;
import io.redisraft.util.FileTrees;
import io.redisraft.util.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage.StartupOption;

/**
 * This node's membership in a Raft cluster: starting, joining and recovering the
 * embedded Ratis server, deciding whether this node may serve a command, and handing
 * commands to the write and read paths.
 *
 * Threads: methods documented "main thread" are called from Redis command handlers;
 * slow work (starting Ratis, joining, stopping) runs on the "raft-control" thread.
 */
public final class RaftNode implements RedisStateMachine.Listener {
    private static final Resp NO_CLUSTER = Resp.error("NOCLUSTER No Raft Cluster");
    private static final Resp JOINING = Resp.error("NOCLUSTER No Raft Cluster (joining now)");
    private static final Resp LOADING = Resp.error("LOADING Raft module is loading data");
    private static final Resp REMOVED = Resp.error("NOCLUSTER This node was removed from the Raft cluster");
    private static final Resp SHUTTING_DOWN = Resp.error("CLUSTERDOWN this node is shutting down");
    // One entry on its way at a time makes the next one as large as possible (measured best).
    private static final int MAX_IN_FLIGHT_ENTRIES = 1;
    private static final int MAX_UNITS_PER_ENTRY = 1024;

    private final RaftConfig config;
    private final RedisApi redis;
    private final MainThread mainThread;
    private final Path storageDir;
    private final int redisPort;
    private final Supplier<NodeTls> tls;
    private final SnapshotManager snapshotManager;
    private final PendingReplies pending;
    private final EntryClock clock = new EntryClock();
    private final EntryApplier applier;
    private volatile WaitingClients waitingClients;
    private final ExecutorService control = Threads.single("raft-control");
    private final ExecutorService readExecutor = Threads.single("raft-reads");
    private final ScheduledExecutorService periodic = Threads.scheduled("raft-periodic");
    private final List<Runnable> housekeepingTasks = new CopyOnWriteArrayList<>();
    private final List<Runnable> roleChangeTasks = new CopyOnWriteArrayList<>();

    private final UsedNodeIds usedIds = new UsedNodeIds();
    private volatile ReplicatedMetadata replicated = new ReplicatedMetadata() {
        @Override
        public String current() {
            return "";
        }

        @Override
        public void replaced(String text) {
        }
    };
    private final NodeConnections connections;
    private final LeaderReadiness readiness = new LeaderReadiness();
    private volatile NodeState state = NodeState.UNINITIALIZED;
    private volatile String applyFailure;
    /** This node was in an applied configuration (so leaving one means it was removed). */
    private volatile boolean wasMember;
    private volatile NodeIdentity identity;
    private volatile Running running;

    /** The parts that exist while the Ratis server runs. */
    private record Running(RaftServer server, RaftServer.Division division, RedisStateMachine stateMachine,
                           RaftRequests requests, WriteBatcher writes, ReadPath reads, LeaderLease lease,
                           Membership membership, SnapshotStore snapshots, FollowerProxy proxy) {}

    /** {@code tls}: TLS between nodes as Redis's settings were when raft.tls-enabled was set, or null. */
    public RaftNode(RaftConfig config, RedisApi redis, MainThread mainThread, Path storageDir, int redisPort,
                    SnapshotManager snapshotManager, Supplier<NodeTls> tls) {
        this.config = config;
        this.tls = tls;
        this.connections = new NodeConnections(config, tls);
        this.redis = redis;
        this.mainThread = mainThread;
        this.storageDir = storageDir;
        this.redisPort = redisPort;
        this.snapshotManager = snapshotManager;
        snapshotManager.attach(new Snapshots());
        this.pending = new PendingReplies(redis);
        this.applier = new EntryApplier(redis, pending, clock);
        long period = Math.max(10, config.number(ConfigOption.PERIODIC_INTERVAL));
        periodic.scheduleWithFixedDelay(this::housekeeping, period, period, TimeUnit.MILLISECONDS);
    }

    // ---- State ----

    public NodeState state() {
        return state;
    }

    public NodeIdentity identity() {
        return identity;
    }

    public EntryApplier applier() {
        return applier;
    }

    public int waitingClients() {
        return pending.size();
    }

    /** The Ratis member, or empty while no server runs. */
    public Optional<RaftServer.Division> division() {
        Running r = running;
        return r == null ? Optional.empty() : Optional.of(r.division());
    }

    public Path storageDir() {
        return storageDir;
    }

    /** Connections to other nodes' Redis ports, as raft.cluster-user. */
    public NodeConnections connections() {
        return connections;
    }

    // ---- Life cycle ----

    /** Main thread, once Redis has loaded its data: rejoin the cluster this node belongs to, if any. */
    public void recover() {
        NodeIdentity stored;
        try {
            stored = NodeIdentity.load(storageDir);
        } catch (IOException e) {
            RedisLog.warning("cannot read the node identity in " + storageDir + ": " + e.getMessage()
                    + "; the node stays out of any cluster");
            return;
        }
        if (stored == null) {
            RedisLog.notice("not part of a Raft cluster yet: use RAFT.CLUSTER INIT or RAFT.CLUSTER JOIN");
            return;
        }
        identity = stored;
        state = NodeState.LOADING;
        RedisLog.notice("rejoining cluster " + stored.dbid() + " as node " + stored.nodeId());
        try {
            Path smDir = storageDir.resolve(stored.groupId().getUuid().toString()).resolve("sm");
            ClusterMetadata loaded = snapshotManager.reconcile(smDir, stored.dbid());
            if (loaded != null) usedIds.addAll(loaded.usedNodeIds());
            usedIds.addAll(List.of(stored.nodeId()));
            replicated.replaced(loaded == null ? "" : loaded.shardGroups());
            publishMetadata();
        } catch (IOException e) {
            RedisLog.warning("cannot bring the dataset to the latest snapshot: " + e.getMessage()
                    + "; Raft is not started (fix or remove the snapshot, then restart)");
            state = NodeState.UNINITIALIZED;
            identity = null;
            return;
        }
        control.execute(() -> {
            try {
                start(stored, RaftGroup.valueOf(stored.groupId()), StartupOption.RECOVER);
                state = NodeState.UP;
            } catch (Exception e) {
                RedisLog.warning("cannot start Raft from " + storageDir + ": " + RedisLog.describe(e));
                state = NodeState.UNINITIALIZED;
                identity = null;
            }
        });
    }

    /** Main thread: RAFT.CLUSTER INIT. The reply is delivered from another thread. */
    public void init(String dbid, Consumer<Resp> reply) {
        NodeIdentity id = newIdentity(dbid);
        identity = id;
        state = NodeState.JOINING;
        usedIds.clear();
        usedIds.addAll(List.of(id.nodeId()));
        replicated.replaced("");
        publishMetadata();
        control.execute(() -> {
            try {
                prepareEmptyStorage();
                id.store(storageDir);
                start(id, RaftGroup.valueOf(id.groupId(), id.peer()), StartupOption.FORMAT);
                state = NodeState.UP;
                // Alone in its new cluster, the node need not wait an election timeout to lead.
                startElection();
                awaitLeadership(config.number(ConfigOption.ELECTION_TIMEOUT) * 10);
                RedisLog.notice("initialised cluster " + dbid + " as node " + id.nodeId());
                reply.accept(Resp.simple("OK " + dbid));
            } catch (Exception e) {
                RedisLog.warning("RAFT.CLUSTER INIT failed: " + RedisLog.describe(e));
                abandon();
                reply.accept(Resp.error("ERR failed to initialize cluster: " + e.getMessage()));
            }
        });
    }

    /** Main thread: RAFT.CLUSTER JOIN. The reply is delivered from another thread. */
    public void join(List<HostPort> seeds, Consumer<Resp> reply) {
        state = NodeState.JOINING;
        // The cluster's data replaces whatever this node holds.
        if (!(redis.call("DBSIZE") instanceof Resp.Int n && n.value() == 0)) {
            RedisLog.notice("joining a cluster: discarding the local dataset");
            redis.call("FLUSHALL");
        }
        control.execute(() -> {
            ClusterJoiner joiner = new ClusterJoiner(config, connections, this::newIdentity, this::startAsJoiner);
            try {
                prepareEmptyStorage();
                joiner.join(seeds);
                state = NodeState.UP;
                RedisLog.notice("joined cluster " + identity.dbid() + " as node " + identity.nodeId());
                reply.accept(Resp.OK);
            } catch (Exception e) {
                RedisLog.warning("RAFT.CLUSTER JOIN failed: " + e.getMessage());
                abandon();
                reply.accept(Resp.error("ERR failed to connect to cluster for join, please check logs"));
            }
        });
    }

    private void startAsJoiner(NodeIdentity id) throws IOException {
        identity = id;
        usedIds.clear();
        usedIds.addAll(List.of(id.nodeId()));
        mainThread.submit(() -> {
            replicated.replaced("");
            publishMetadata();
            return null;
        }).join();
        id.store(storageDir);
        // Outside the configuration until the leader has caught it up (see Membership).
        start(id, RaftGroup.valueOf(id.groupId()), StartupOption.FORMAT);
    }

    /** Main thread, on Redis shutdown. Bounded: Redis exits right after. */
    public void shutdown() {
        periodic.shutdownNow();
        Running r = running;
        running = null;
        if (r == null) return;
        r.writes().close();
        r.reads().close(SHUTTING_DOWN);
        r.proxy().close();
        try {
            control.submit(() -> {
                r.server().close();
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            RedisLog.warning("Raft server did not stop in time: " + e);
        }
    }

    private void start(NodeIdentity id, RaftGroup group, StartupOption option) throws IOException {
        HostPort raftAddress = id.raftAddress();
        String bindHost = NetworkAddresses.bindHost(config.string(ConfigOption.RPC_BIND), raftAddress.host());
        NetworkAddresses.checkBindable(bindHost, raftAddress.port());
        RaftTransport transport = RaftTransport.choose(tls.get(), config.string(ConfigOption.CLUSTER_PASSWORD));
        RaftProperties properties = RatisProperties.build(config, storageDir.toFile(), bindHost, raftAddress.port(),
                transport);
        SnapshotStore snapshots = new SnapshotStore();
        RedisStateMachine sm = new RedisStateMachine(mainThread, applier, snapshots, snapshotManager, this, clock,
                pending.origin());
        // Before the server starts, which replays the log.
        sm.setApplyDisabled(config.flag(ConfigOption.LOG_DISABLE_APPLY));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(id.peerId())
                .setGroup(group)
                .setStateMachine(sm)
                .setProperties(properties)
                .setParameters(transport.serverParameters())
                .setOption(option)
                .build();
        try {
            server.start();
            RaftPortGuard.install(server, RatisProperties.messageLimit(config));
        } catch (IOException | RuntimeException e) {
            // A server that failed to start still holds threads and (direct) buffers.
            try {
                server.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        RaftServer.Division division = server.getDivision(group.getGroupId());
        wasMember = division.getRaftConf().getPeer(id.peerId(), RaftPeerRole.FOLLOWER) != null;
        FollowerProxy proxy = new FollowerProxy(division::getGroup, () -> division.getInfo().getLeaderId(),
                transport.type(), transport::clientParameters);
        RaftRequests requests = new RaftRequests(server, group.getGroupId(), proxy,
                () -> config.number(ConfigOption.PROXY_RESPONSE_TIMEOUT));
        LeaderLease lease = new LeaderLease(division);
        requests.extendOnCommit(lease);
        WriteBatcher writes = new WriteBatcher(requests, pending, clock, MAX_IN_FLIGHT_ENTRIES,
                RatisProperties.entryLimit(config) - 1024, MAX_UNITS_PER_ENTRY);
        ReadPath reads = new ReadPath(division, requests, lease, pending, applier, clock, redis, mainThread,
                readExecutor, () -> redirect(0), (unit, client) -> write(unit, 0, client), this::wakeupsOwed);
        applier.onApplied(reads::applied);
        running = new Running(server, division, sm, requests, writes, reads, lease,
                new Membership(requests, division), snapshots, proxy);
        RedisLog.notice("Raft server started: node " + id.nodeId() + ", Raft RPC on " + raftAddress
                + (bindHost.equals(raftAddress.host()) ? "" : " (listening on " + bindHost + ")"));
    }

    /** Stops a server that was being set up and forgets the cluster (failed INIT/JOIN). */
    private void abandon() {
        Running r = running;
        running = null;
        if (r != null) stop(r, NO_CLUSTER);
        identity = null;
        state = NodeState.UNINITIALIZED;
        try {
            FileTrees.delete(storageDir);
        } catch (IOException e) {
            RedisLog.warning("cannot clean " + storageDir + ": " + e.getMessage());
        }
    }

    private void prepareEmptyStorage() throws IOException {
        if (Files.exists(storageDir) && !Files.isDirectory(storageDir)) {
            throw new IOException(storageDir + " exists and is not a directory (raft.log-filename names the Raft log directory)");
        }
        FileTrees.delete(storageDir);
        Files.createDirectories(storageDir);
    }

    private void awaitLeadership(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline && !isLeaderReady()) Thread.sleep(20);
    }

    private NodeIdentity newIdentity(String dbid) {
        int nodeId = (int) config.number(ConfigOption.ID);
        if (nodeId == 0) nodeId = 1 + new SecureRandom().nextInt(Integer.MAX_VALUE - 1);
        HostPort redisAddress = advertisedAddress();
        int rpcPort = (int) config.number(ConfigOption.RPC_PORT);
        if (rpcPort == 0) rpcPort = defaultRaftPort(redisPort);
        return new NodeIdentity(dbid, nodeId, redisAddress, new HostPort(redisAddress.host(), rpcPort));
    }

    /** The rule for the Raft port when raft.rpc-port is 0: Redis port + 10000 (or - 10000 if that overflows). */
    public static int defaultRaftPort(int redisPort) {
        return redisPort + 10000 <= 65535 ? redisPort + 10000 : redisPort - 10000;
    }

    private HostPort advertisedAddress() {
        String configured = config.string(ConfigOption.ADDR);
        if (!configured.isEmpty()) return HostPort.parse(configured);
        return new HostPort(NetworkAddresses.firstNonLoopback(), redisPort);
    }

    // ---- Serving commands (main thread) ----

    /**
     * Null if this node takes clients' commands now: as the ready leader, or as a follower
     * that knows its leader with raft.follower-proxy yes (it sends writes there and reads
     * what the leader confirmed, see ReadPath); else the refusal.
     */
    public Resp clientRefusal() {
        return clientRefusal(0);
    }

    /** As {@link #clientRefusal()}, for a command on keys of hash slot {@code slot} (named in MOVED). */
    public Resp clientRefusal(int slot) {
        Resp refusal = refusal(slot);
        boolean redirected = refusal instanceof Resp.Error e && e.code().equals("MOVED");
        return redirected && config.flag(ConfigOption.FOLLOWER_PROXY) ? null : refusal;
    }

    /** What the follower proxy counted (INFO raft raft_proxy_*). */
    public FollowerProxy.Counters proxyCounters() {
        Running r = running;
        return r == null ? new FollowerProxy.Counters(0, 0, 0, 0) : r.proxy().counters();
    }

    /** Null if this node is the ready leader, else the refusal (MOVED, CLUSTERDOWN, ...). */
    public Resp refusal() {
        return refusal(0);
    }

    /**
     * As {@link #refusal()}, for a command on keys of hash slot {@code slot}: a follower's
     * MOVED names it, as Redis Cluster's does (0 for keyless commands and outside sharding,
     * as RedisRaft).
     */
    public Resp refusal(int slot) {
        Resp notMember = membershipRefusal();
        if (notMember != null) return notMember;
        Running r = running;
        if (r == null) return RaftFailures.NO_LEADER;
        if (!r.division().getInfo().isLeader()) return redirect(slot);
        if (!r.division().getInfo().isLeaderReady()) return RaftFailures.NO_LEADER;
        return null;
    }

    /** Null while this node is an up-and-running member, else why it serves nothing (NOCLUSTER, LOADING, ...). */
    public Resp membershipRefusal() {
        switch (state) {
            case UNINITIALIZED:
                return NO_CLUSTER;
            case JOINING:
                return JOINING;
            case LOADING:
                return LOADING;
            case REMOVED:
                return REMOVED;
            case FAILED:
                return failedError();
            default:
                return null;
        }
    }

    /** This node was elected leader and is not ready yet (an entry of its term is still to be applied). */
    public boolean becomingLeader() {
        Running r = running;
        return state == NodeState.UP && r != null && r.division().getInfo().isLeader()
                && !r.division().getInfo().isLeaderReady();
    }

    /**
     * Main thread: {@code then} learns, on the main thread, whether this node became a ready
     * leader (true) or lost the leadership or waited two election timeouts in vain (false).
     */
    public void whenLeaderReady(Consumer<Boolean> then) {
        readiness.await(TimeUnit.MILLISECONDS.toNanos(2 * config.number(ConfigOption.ELECTION_TIMEOUT)), then);
        if (isLeaderReady()) readiness.ready();
    }

    /** MOVED (naming {@code slot}) to the leader's Redis address, or CLUSTERDOWN when there is no known leader. */
    public Resp redirect(int slot) {
        return leaderRedisAddress().map(a -> Resp.error("MOVED " + slot + " " + a)).orElse(RaftFailures.NO_LEADER);
    }

    public Optional<String> leaderRedisAddress() {
        Running r = running;
        if (r == null) return Optional.empty();
        RaftPeerId leader = r.division().getInfo().getLeaderId();
        if (leader == null) return Optional.empty();
        return r.membership().peer(leader).map(RaftPeer::getClientAddress);
    }

    public boolean isLeaderReady() {
        Running r = running;
        return r != null && r.division().getInfo().isLeader() && r.division().getInfo().isLeaderReady();
    }

    public long maxUnitBytes() {
        return RatisProperties.entryLimit(config) - 1024 - LogEntry.HEADER_SIZE;
    }

    /** Main thread: replicate a unit of client {@code clientId}, answered when the entry is applied. */
    public void write(byte[] unit, long clientId, BlockedClient client) {
        Running r = running;
        long seq = pending.register(client);
        if (r == null) pending.fail(seq, RaftFailures.NO_LEADER);
        else r.writes().submit(seq, clientId, unit);
    }

    /**
     * Main thread, inside the client's command: runs a read-only unit on the leader, linearizably
     * (see ReadPath) or, without {@code quorum}, on the state this node has applied.
     */
    public void read(byte[] unit, long ctx, boolean quorum) {
        Running r = running;
        if (r == null) redis.reply(ctx, RaftFailures.NO_LEADER);
        else if (quorum) r.reads().read(unit, ctx);
        else r.reads().readNow(unit, ctx);
    }

    /** Main thread: runs a read-only unit on the leader for a client already blocked (see ReadPath). */
    public void read(byte[] unit, BlockedClient client) {
        Running r = running;
        if (r == null) redis.unblock(client, RaftFailures.NO_LEADER);
        else r.reads().read(unit, client);
    }

    /** Main thread: see {@link WaitingClients#owesWakeupsUpTo}. */
    private boolean wakeupsOwed(long appliedIndex) {
        WaitingClients waiting = waitingClients;
        return waiting != null && waiting.anyWaiting() && waiting.owesWakeupsUpTo(appliedIndex);
    }

    /** Main thread: who keeps the clients of blocking commands waiting (blocking.Waiters). */
    public void setWaitingClients(WaitingClients waiting) {
        this.waitingClients = waiting;
        applier.setWaitingClients(waiting);
        pending.onFailed(client -> mainThread.execute(() -> waiting.unitFailed(client)));
    }

    /**
     * Main thread: replicates a unit of the module's own and completes once this node applied
     * it (what it did is for the caller to look up), or fails if it was not committed.
     */
    public CompletableFuture<Void> writeOwn(byte[] unit) {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        Running r = running;
        long seq = pending.registerOwn(ok -> {
            if (ok) applied.complete(null);
            else applied.completeExceptionally(new IllegalStateException("not committed (no leader, or leadership lost)"));
        });
        if (r == null) pending.fail(seq, RaftFailures.NO_LEADER);
        else r.writes().submit(seq, 0, unit);
        return applied;
    }

    /** Main thread: replicates a unit of the module's own (nobody waits for its reply). */
    public void writeInternal(byte[] unit) {
        Running r = running;
        if (r != null) r.writes().submit(pending.registerNobody(), 0, unit);
    }

    // ---- Membership (leader) ----

    public CompletableFuture<Void> addNode(int nodeId, HostPort redisAddress, HostPort raftAddress) {
        return withRunning(r -> r.membership().add(NodeIdentity.peer(nodeId, redisAddress, raftAddress)));
    }

    /** Leader: removes a member; once done, tells the removed node to shut down (best effort, as RedisRaft). */
    public CompletableFuture<Void> removeNode(int nodeId) {
        RaftPeerId id = RaftPeerId.valueOf(Integer.toString(nodeId));
        Optional<String> address = withRunningOrEmpty(r -> r.membership().peer(id).map(RaftPeer::getClientAddress));
        return withRunning(r -> r.membership().remove(id)).thenRun(() -> address.ifPresent(a -> control.execute(
                () -> connections.tellRemoved(HostPort.parse(a), nodeId))));
    }

    public boolean isMember(int nodeId) {
        Running r = running;
        return r != null && r.membership().peer(RaftPeerId.valueOf(Integer.toString(nodeId))).isPresent();
    }

    /** Whether the node is a member with this Redis address. */
    public boolean isMember(int nodeId, HostPort redisAddress) {
        Running r = running;
        return r != null && r.membership().peer(RaftPeerId.valueOf(Integer.toString(nodeId)))
                .map(p -> redisAddress.equals(HostPort.parse(p.getClientAddress()))).orElse(false);
    }

    /** The current leader's id, or null if none is known. */
    public RaftPeerId leaderId() {
        Running r = running;
        return r == null ? null : r.division().getInfo().getLeaderId();
    }

    public boolean transferInProgress() {
        Running r = running;
        return r != null && r.lease().transferring();
    }

    /**
     * RAFT.TIMEOUT_NOW: a follower starts an election at once; completes with null, or why it
     * could not. Off the main thread: Ratis's role change holds the server's lock.
     */
    public CompletableFuture<String> timeoutNow() {
        return CompletableFuture.supplyAsync(this::startElection, control);
    }

    private String startElection() {
        Running r = running;
        if (r == null) return "Raft is not running";
        if (r.division().getInfo().isLeader()) return null;
        return RatisInternals.startElection(r.division());
    }

    /**
     * A node that is not uninitialised was asked to JOIN again: tells (from another thread,
     * after a join still under way) whether it is a serving member of the cluster one of the
     * seeds belongs to.
     */
    public void confirmMembership(List<HostPort> seeds, Consumer<Boolean> answer) {
        control.execute(() -> {
            NodeIdentity id = identity;
            boolean member = state == NodeState.UP && id != null && isMember(id.nodeId());
            answer.accept(member && connections.anyInCluster(seeds, id.dbid()));
        });
    }

    public CompletableFuture<Void> transferLeadership(RaftPeerId target, long timeoutMs) {
        return withRunning(r -> {
            r.lease().transferStarted();
            return r.requests().transferLeadership(target, timeoutMs)
                    .whenComplete((reply, error) -> r.lease().transferEnded())
                    .thenApply(reply -> {
                        if (!reply.isSuccess()) {
                            Throwable e = reply.getException();
                            throw new IllegalStateException(e == null ? "transfer failed" : e.getMessage(), e);
                        }
                        return null;
                    });
        });
    }

    /** The members (all voting), for INFO, CLUSTER and RAFT.TRANSFER_LEADER. */
    public List<RaftPeer> voters() {
        Running r = running;
        return r == null ? List.of() : r.membership().voters();
    }

    private <T> Optional<T> withRunningOrEmpty(Function<Running, Optional<T>> action) {
        Running r = running;
        return r == null ? Optional.empty() : action.apply(r);
    }

    private <T> CompletableFuture<T> withRunning(Function<Running, CompletableFuture<T>> action) {
        Running r = running;
        if (r == null) return CompletableFuture.failedFuture(new IllegalStateException("Raft is not running"));
        return action.apply(r);
    }

    /** raft.log-disable-apply changed. */
    public void setApplyDisabled(boolean disabled) {
        Running r = running;
        if (r != null) r.stateMachine().setApplyDisabled(disabled);
    }

    /** Runs {@code task} on every housekeeping tick (raft.periodic-interval) while this node is a serving member. */
    public void onHousekeeping(Runnable task) {
        housekeepingTasks.add(task);
    }

    /**
     * Runs {@code task} (on a Ratis thread) whenever this node learns of a new leader or
     * becomes the ready leader, as well as on every housekeeping tick, so that what depends
     * on the role follows it at once.
     */
    public void onRoleChange(Runnable task) {
        roleChangeTasks.add(task);
        onHousekeeping(task);
    }

    private void roleChanged() {
        for (Runnable task : roleChangeTasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                RedisLog.verbose("role change: " + e);
            }
        }
    }

    private void housekeeping() {
        try {
            Running r = running;
            if (r == null || state != NodeState.UP) return;
            snapshotManager.compactIfNeeded();
            if (readiness.hasWaiters()) mainThread.execute(readiness::expire);
            for (Runnable task : housekeepingTasks) task.run();
        } catch (Throwable t) {
            RedisLog.verbose("housekeeping: " + t);
        }
    }

    // ---- Ratis notifications ----

    @Override
    public void leaderReady() {
        mainThread.execute(readiness::ready);
        roleChanged();
    }

    @Override
    public void leaderChanged(RaftPeerId leaderId) {
        NodeIdentity id = identity;
        // Clients waiting for this node to be ready learn it will not be, once another node leads.
        if (id == null || !id.peerId().equals(leaderId)) mainThread.execute(readiness::lost);
        if (leaderId == null) RedisLog.notice("no Raft leader");
        else if (id != null && leaderId.equals(id.peerId())) RedisLog.notice("this node is now the Raft leader");
        else RedisLog.verbose("the Raft leader is now node " + leaderId);
        roleChanged();
    }

    @Override
    public void configurationChanged(Set<Integer> members, Set<Integer> named, boolean joint, boolean latest) {
        RedisLog.verbose("cluster membership: " + members.size() + " voters" + (joint ? " (change in progress)" : ""));
        if (usedIds.addAll(named)) mainThread.execute(this::publishMetadata);
        NodeIdentity id = identity;
        if (id == null) return;
        // A joining node first learns configurations without it: only a member can be removed.
        // A restarted member replays configurations from before it joined: only the newest counts.
        if (members.contains(id.nodeId())) {
            wasMember = true;
        } else if (latest && wasMember && (!joint || !isLeaderReady())) {
            // Removed once the change is committed; a removed leader first completes it (the new configuration).
            shutDownAfterRemoval();
        }
    }

    @Override
    public void memberShutdown(boolean removed) {
        if (removed) shutDownAfterRemoval();
    }

    /**
     * This node is no longer a member: as RedisRaft does, it sets its Raft files and RDB
     * aside (name.&lt;id&gt;.bak) and shuts its redis-server down; started again, it is a
     * new node that can join a cluster (with a new id).
     */
    public void shutDownAfterRemoval() {
        synchronized (this) {
            if (state == NodeState.REMOVED) return;
            state = NodeState.REMOVED;
        }
        NodeIdentity id = identity;
        RedisLog.notice("*** NODE REMOVED, SHUTTING DOWN.");
        pending.failAll(REMOVED);
        Running r = running;
        running = null;
        control.execute(() -> {
            if (r != null) stop(r, REMOVED);
            snapshotManager.setAside(storageDir, id == null ? 0 : id.nodeId());
            mainThread.execute(() -> redis.call("SHUTDOWN", "NOSAVE", "NOW"));
        });
    }

    /** The time now along the log: this node's clock, never behind an entry applied here. */
    public long logTime() {
        return clock.now();
    }

    /** The node ids ever used in this cluster, oldest first. */
    public List<Integer> usedNodeIds() {
        return usedIds.list();
    }

    public boolean wasUsed(int nodeId) {
        return usedIds.contains(nodeId);
    }

    /** The module's state that snapshots carry besides the dataset (one holder). */
    public void setReplicatedMetadata(ReplicatedMetadata state) {
        this.replicated = state;
    }

    /** Main thread: what every RDB from now on says about the cluster (after the replicated metadata changed). */
    public void publishMetadata() {
        NodeIdentity id = identity;
        if (id != null) {
            snapshotManager.setMetadata(new ClusterMetadata(id.dbid(), usedIds.list(), replicated.current()));
        }
    }

    @Override
    public void applyFailed(String why) {
        if (state == NodeState.FAILED) return;
        applyFailure = why;
        state = NodeState.FAILED;
        RedisLog.warning("STOPPED SERVING: " + why + ". This node's dataset may differ from the cluster's from here "
                + "on, so it answers every command with an error and leaves the Raft cluster; the other nodes go on. "
                + "Find the cause in this log, then restart the node (it replays the log from its last snapshot), "
                + "or remove it and join a fresh one.");
        pending.failAll(failedError());
        WaitingClients waiting = waitingClients;
        if (waiting != null) waiting.nodeStopped(failedError());
        Running r = running;
        if (r != null) control.execute(() -> stop(r, failedError()));
    }

    /**
     * Not the main thread: stops a Ratis member the node no longer serves through. Writes and
     * reads still waiting are answered {@code answer}; then the server is closed.
     */
    private void stop(Running r, Resp answer) {
        r.writes().close();
        mainThread.execute(() -> r.reads().close(answer));
        try {
            r.server().close();
        } catch (IOException e) {
            RedisLog.warning("closing the Raft server: " + e.getMessage());
        }
    }

    private Resp failedError() {
        return Resp.error("CLUSTERDOWN this node stopped serving: " + applyFailure);
    }

    /** What snapshots need from this node. */
    private final class Snapshots implements SnapshotHost {
        @Override
        public String dbid() {
            NodeIdentity id = identity;
            return id == null ? null : id.dbid();
        }

        @Override
        public SnapshotStore store() {
            Running r = running;
            return r == null ? null : r.snapshots();
        }

        @Override
        public long logFileSize() {
            Running r = running;
            return r == null ? 0 : LogStatistics.logFileSize(r.division());
        }

        @Override
        public long logEntryCount() {
            Running r = running;
            if (r == null) return 0;
            RaftLog log = r.division().getRaftLog();
            return Math.max(0, log.getNextIndex() - log.getStartIndex());
        }

        @Override
        public long appliedIndex() {
            return applier.appliedIndex();
        }

        @Override
        public long appliedTerm() {
            return applier.appliedTerm();
        }

        @Override
        public CompletableFuture<Void> compactLog() {
            long timeout = Math.max(30_000, config.number(ConfigOption.ELECTION_TIMEOUT) * 10);
            return withRunning(r -> r.requests().takeSnapshot(timeout).thenApply(reply -> null));
        }

        @Override
        public void loading(boolean inProgress) {
            if (inProgress) state = NodeState.LOADING;
            else if (state == NodeState.LOADING && running != null) state = NodeState.UP;
        }

        @Override
        public void datasetReplaced(long index, long term, ClusterMetadata cluster) {
            applier.reset(index, term);
            usedIds.addAll(cluster.usedNodeIds());
            replicated.replaced(cluster.shardGroups());
            publishMetadata();
        }
    }

}
