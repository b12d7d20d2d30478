package io.redisraft.commands;

import io.redisraft.blocking.Waiters;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.config.RaftConfig;
import io.redisraft.determinism.SetPop;
import io.redisraft.raft.RaftNode;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.resp.Resp;
import io.redisraft.scripts.ScriptBodies;
import io.redisraft.security.AclErrors;
import io.redisraft.security.ClientAuth;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.ShardLinks;
import io.redisraft.sharding.SlotMover;
import io.redisraft.watch.Watches;
import java.util.Arrays;

/** Entry point for every module command the shim forwards (main thread). */
public final class CommandRouter {
    private final RedisApi redis;
    private volatile CommandTable table;
    private final ClientAuth auth;
    private final ClientCommands client;
    private final InternalCalls internal;
    private final ClusterCommands cluster;
    private final DebugCommands debug;
    private final ShardGroupCommands shardGroups;

    public CommandRouter(RedisApi redis, MainThread mainThread, RaftConfig config, RaftNode node,
                         SnapshotManager snapshots, CommandTable table, ShardGroups shards, ShardLinks links,
                         SlotMover mover) {
        this.redis = redis;
        this.table = table;
        ScriptBodies scripts = new ScriptBodies();
        AclErrors aclErrors = AclErrors.of(redis.serverVersion());
        this.auth = new ClientAuth(redis, aclErrors);
        LeaderWait leaderWait = new LeaderWait(redis, node);
        SetPop setPop = new SetPop(redis::call);
        Waiters waiters = new Waiters(redis, node);
        node.setWaitingClients(waiters);
        node.onRoleChange(() -> {
            if (waiters.anyWaiting()) mainThread.execute(waiters::tick);
        });
        Watches watches = new Watches(redis);
        this.client = new ClientCommands(redis, config, node, table, scripts, auth, leaderWait, setPop, waiters,
                watches, shards, mover);
        this.internal = new InternalCalls(redis, () -> this.table, scripts, setPop, watches, waiters, shards,
                aclErrors);
        this.shardGroups = new ShardGroupCommands(redis, config, mainThread, node, shards, links, mover,
                leaderWait);
        this.cluster = new ClusterCommands(redis, config, node, leaderWait);
        this.debug = new DebugCommands(redis, mainThread, node, snapshots, () -> this.table);
    }

    /** Replaces the command table (raft.ignored-commands changed). */
    public void setTable(CommandTable newTable) {
        this.table = newTable;
        client.setTable(newTable);
    }

    public CommandTable table() {
        return table;
    }

    public void handle(Caller caller, byte[][] argv) {
        String name = CommandTable.lower(argv[0]);
        if (name.equals("raft")) {
            client.handle(caller, Arrays.copyOfRange(argv, 1, argv.length));
            return;
        }
        Resp reply = switch (name) {
            case "raft.cluster" -> cluster.cluster(caller, argv);
            case "raft.node" -> cluster.node(caller, argv);
            case "raft.transfer_leader" -> cluster.transferLeader(caller, argv);
            case "raft.timeout_now" -> cluster.timeoutNow(caller, argv);
            case "raft.nodeshutdown" -> cluster.nodeShutdown(caller, argv);
            case "raft.debug" -> debug.debug(caller, argv);
            case "raft.shardgroup" -> shardGroups.shardGroup(caller, argv);
            case "raft.import" -> shardGroups.importKeys(caller, argv);
            case "raft.scan" -> shardGroups.scan(argv);
            default -> Resp.error("ERR unknown raft command '" + name + "'");
        };
        if (reply != null) redis.reply(caller.ctx(), reply);
    }

    /** RAFT._AS: a command the module runs itself, handed back by the filter (see InternalCalls). */
    public void internalCall(long ctx, long nowMs, boolean applying, int access, byte[][] argv) {
        internal.handle(ctx, nowMs, applying, access, argv);
    }

    public void clientConnected(long clientId) {
        auth.connected(clientId);
    }

    public void clientGone(long clientId) {
        client.clientGone(clientId);
        auth.disconnected(clientId);
    }
}
