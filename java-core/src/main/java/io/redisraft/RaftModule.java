package io.redisraft;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.commands.Caller;
import io.redisraft.commands.CommandRouter;
import io.redisraft.commands.CommandTable;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.expiry.Deadlines;
import io.redisraft.expiry.ExpirySweep;
import io.redisraft.health.FatalErrors;
import io.redisraft.info.InfoSink;
import io.redisraft.info.LogStatistics;
import io.redisraft.info.RaftInfo;
import io.redisraft.logging.LogRouting;
import io.redisraft.logging.RedisLog;
import io.redisraft.pubsub.SubscribeGate;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.NodeStatusView;
import io.redisraft.raft.RaftNode;
import io.redisraft.security.NodeTls;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.ShardLinks;
import io.redisraft.sharding.SlotMover;
import io.redisraft.snapshot.SnapshotManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.util.ExitUtils;

/**
 * The module's Java side, wired together once Redis has loaded the raft.* options.
 * Every method here is called by the shim on the Redis main thread.
 */
public final class RaftModule {
    private final RedisApi redis;
    private final MainThread mainThread;
    private final RaftConfig config;
    private final RaftNode node;
    private final SnapshotManager snapshots;
    private final CommandRouter router;
    private final RaftInfo info;
    private final ShardLinks links;
    private final SlotMover mover;
    /** TLS between nodes, read from Redis's settings on the main thread when raft.tls-enabled is set. */
    private final AtomicReference<NodeTls> tls = new AtomicReference<>();

    private RaftModule(RedisApi redis, MainThread mainThread, RaftConfig config) {
        this.redis = redis;
        this.mainThread = mainThread;
        this.config = config;
        loadTls();
        Path dir = Path.of(redis.config("dir"));
        // Other nodes reach this one on its TLS port when links between nodes use TLS, and
        // when Redis serves TLS only ("port 0").
        int port = Integer.parseInt(redis.config("port"));
        int tlsPort = Integer.parseInt(redis.config("tls-port"));
        if (tlsPort != 0 && (port == 0 || tls.get() != null)) port = tlsPort;
        Path storageDir = dir.resolve(config.string(ConfigOption.LOG_FILENAME));
        String dbfilename = redis.config("dbfilename");
        this.snapshots = new SnapshotManager(redis, mainThread, config, dir, dbfilename, storageDir);
        this.node = new RaftNode(config, redis, mainThread, storageDir, port, snapshots, tls::get);
        config.setClusterMemberCheck(() -> node.identity() != null);
        CommandTable table = CommandTable.load(redis, config.string(ConfigOption.IGNORED_COMMANDS));
        table.publish(redis.shim());
        ShardGroups shards = new ShardGroups(config, () -> {
            NodeIdentity id = node.identity();
            return id == null ? null : id.dbid();
        }, node::publishMetadata, redis::call);
        node.setReplicatedMetadata(shards);
        this.links = new ShardLinks(config, node.connections(), shards, node::isLeaderReady,
                change -> mainThread.execute(() -> node.writeInternal(CommandCodec.encodeUnit(0, 0, change))));
        node.onHousekeeping(links::tick);
        this.mover = new SlotMover(config, node, mainThread, shards, links, redis::call);
        this.router = new CommandRouter(redis, mainThread, config, node, snapshots, table, shards, links, mover);
        ExpirySweep sweep = new ExpirySweep(redis, mainThread, node);
        node.onHousekeeping(sweep::tick);
        this.info = new RaftInfo(new NodeStatusView(node), new LogStatistics(node::division), dbfilename, snapshots,
                NodeTls::refusedHandshakes);
        node.onHousekeeping(info::sampleLinks);
        SubscribeGate subscriptions = new SubscribeGate(redis, mainThread, node::refusal);
        node.onRoleChange(subscriptions::refresh);
        subscriptions.refresh();
        // A JVM out of memory may have lost a thread of the write or apply path: stop serving.
        FatalErrors.install(why -> mainThread.execute(() -> node.applyFailed(why)));
        config.addListener(this::configChanged);
        redis.shim().rr_set_apply_delay(config.number(ConfigOption.LOG_DELAY_APPLY));
    }

    /** Before the options are loaded: checks of values that depend on Redis's own settings. */
    public static void addConfigChecks(RaftConfig config, RedisApi redis) {
        config.addCheck(ConfigOption.TLS_ENABLED, value -> value.equals("1") ? NodeTls.problem(redis::config) : null);
    }

    /** After the options are loaded: checks the environment and builds the module. Throws if it cannot run. */
    public static RaftModule start(RedisApi redis, MainThread mainThread, RaftConfig config) {
        RedisLog.setLevel((int) config.number(ConfigOption.LOGLEVEL));
        LogRouting.install(config.number(ConfigOption.TRACE), debugLevel(config));
        // Ratis must never end the process on a fatal error: Redis keeps running and says so.
        ExitUtils.disableSystemExit();
        // Ratis's shaded Netty: no per-thread buffer caches and one pool arena each instead of
        // two per core (every arena holds its own 4 MB chunks): a node has a handful of
        // connections. raft.jvm-options can still set them with -D.
        for (String setting : new String[] {"useCacheForAllThreads=false", "numDirectArenas=1", "numHeapArenas=1"}) {
            String[] kv = setting.split("=");
            System.getProperties().putIfAbsent("org.apache.ratis.thirdparty.io.netty.allocator." + kv[0], kv[1]);
        }
        String problem = EnvironmentCheck.check(redis);
        if (problem != null) throw new IllegalStateException(problem);
        redis.shim().rr_set_expiry_shift(Deadlines.SHIFT_MS);
        return new RaftModule(redis, mainThread, config);
    }

    /** Main thread. The option's check has already loaded the files once, so this fails only if they changed since. */
    private void loadTls() {
        if (!config.flag(ConfigOption.TLS_ENABLED)) {
            tls.set(null);
            return;
        }
        try {
            tls.set(NodeTls.load(redis::config));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Failed to configure TLS: " + e.getMessage(), e);
        }
    }

    private static boolean debugLevel(RaftConfig config) {
        return config.number(ConfigOption.LOGLEVEL) == RedisLog.DEBUG;
    }

    private void configChanged(ConfigOption option) {
        switch (option) {
            case LOGLEVEL -> {
                RedisLog.setLevel((int) config.number(ConfigOption.LOGLEVEL));
                LogRouting.setTraces(config.number(ConfigOption.TRACE), debugLevel(config));
            }
            case TRACE -> LogRouting.setTraces(config.number(ConfigOption.TRACE), debugLevel(config));
            case TLS_ENABLED -> loadTls();
            case LOG_DELAY_APPLY -> redis.shim().rr_set_apply_delay(config.number(ConfigOption.LOG_DELAY_APPLY));
            case LOG_DISABLE_APPLY -> node.setApplyDisabled(config.flag(ConfigOption.LOG_DISABLE_APPLY));
            case IGNORED_COMMANDS -> {
                CommandTable table = CommandTable.load(redis, config.string(ConfigOption.IGNORED_COMMANDS));
                table.publish(redis.shim());
                router.setTable(table);
            }
            default -> { }
        }
    }

    public void serverReady() {
        node.recover();
    }

    public void shutdown() {
        links.close();
        mover.close();
        node.shutdown();
    }

    public void command(long ctx, long clientId, int contextFlags, int security, int db, byte[][] argv) {
        router.handle(new Caller(ctx, clientId, contextFlags, security, db), argv);
    }

    public void internalCall(long ctx, long nowMs, boolean applying, int access, byte[][] argv) {
        router.internalCall(ctx, nowMs, applying, access, argv);
    }

    public void clientConnected(long clientId) {
        router.clientConnected(clientId);
    }

    public void clientDisconnected(long clientId) {
        router.clientGone(clientId);
    }

    public void info(InfoSink sink) {
        info.write(sink);
    }

    public void forkDone(int exitCode, int bySignal) {
        snapshots.childDone(exitCode, bySignal);
    }

    public MainThread mainThread() {
        return mainThread;
    }
}
