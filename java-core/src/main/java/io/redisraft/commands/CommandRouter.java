package io.redisraft.commands;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.config.RaftConfig;
import io.redisraft.raft.RaftNode;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.resp.Resp;
import java.util.Arrays;

/** Entry point for every module command the shim forwards (main thread). */
public final class CommandRouter {
    private final RedisApi redis;
    private volatile CommandTable table;
    private final ClientCommands client;
    private final ClusterCommands cluster;
    private final DebugCommands debug;

    public CommandRouter(RedisApi redis, MainThread mainThread, RaftConfig config, RaftNode node,
                         SnapshotManager snapshots, CommandTable table) {
        this.redis = redis;
        this.table = table;
        this.client = new ClientCommands(redis, config, node, table);
        this.cluster = new ClusterCommands(redis, config, node);
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
            case "raft.debug" -> debug.debug(caller, argv);
            default -> Resp.error("ERR unknown raft command '" + name + "'");
        };
        if (reply != null) redis.reply(caller.ctx(), reply);
    }

    public void clientGone(long clientId) {
        client.clientGone(clientId);
    }
}
