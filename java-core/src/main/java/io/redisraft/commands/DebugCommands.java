package io.redisraft.commands;

import io.redisraft.bridge.HandoffCheck;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.bridge.CommandCodec;
import io.redisraft.raft.RaftNode;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.resp.Resp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;

/** RAFT.DEBUG: operator and test helpers, run on this node only. */
final class DebugCommands {
    private final RedisApi redis;
    private final MainThread mainThread;
    private final SnapshotManager snapshots;
    private final RaftNode node;
    private final CommandTableHolder tables;

    interface CommandTableHolder {
        CommandTable table();
    }

    DebugCommands(RedisApi redis, MainThread mainThread, RaftNode node, SnapshotManager snapshots,
                  CommandTableHolder tables) {
        this.redis = redis;
        this.mainThread = mainThread;
        this.snapshots = snapshots;
        this.node = node;
        this.tables = tables;
    }

    Resp debug(Caller caller, byte[][] argv) {
        String sub = argv.length > 1 ? CommandTable.lower(argv[1]) : "";
        switch (sub) {
            case "exec":
                return exec(caller, argv);
            case "used_node_ids":
                return usedNodeIds();
            case "commandspec":
                return commandSpec(argv);
            case "handoff":
                return handoff(caller, argv);
            case "compact":
                return compact(caller, argv);
            default:
                return Resp.error("ERR invalid debug subcommand");
        }
    }

    /** RAFT.DEBUG EXEC cmd [args...]: runs the command on this node, bypassing Raft. */
    private Resp exec(Caller caller, byte[][] argv) {
        if (argv.length < 3) return Errors.wrongArity("raft.debug");
        byte[][] command = Arrays.copyOfRange(argv, 2, argv.length);
        byte[] unit = CommandCodec.encodeUnit(caller.resp3() ? CommandCodec.UNIT_RESP3 : 0, command);
        redis.execute(unit, 0, unit.length, new long[] {caller.ctx()}, Shim.EXEC_DIRECT, 0);
        return null;
    }

    /** RAFT.DEBUG HANDOFF n: checks the Java-to-main-thread hand-off (see HandoffCheck). */
    private Resp handoff(Caller caller, byte[][] argv) {
        int n;
        try {
            n = argv.length == 3 ? Integer.parseInt(Errors.text(argv[2])) : -1;
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0) return Resp.error("ERR usage: RAFT.DEBUG HANDOFF <tasks per thread>");
        RedisApi.BlockedClient client = redis.block(caller.ctx());
        HandoffCheck.run(mainThread, n, reply -> redis.unblock(client, reply));
        return null;
    }

    /** RAFT.DEBUG COMPACT [async]: takes a snapshot and trims the log; replies when done unless async. */
    private Resp compact(Caller caller, byte[][] argv) {
        boolean async = argv.length > 2 && !Errors.text(argv[2]).equals("0");
        if (node.state() != io.redisraft.raft.NodeState.UP) return node.refusal();
        if (async) {
            snapshots.start(null);
            return Resp.OK;
        }
        RedisApi.BlockedClient client = redis.block(caller.ctx());
        snapshots.start(reply -> redis.unblock(client, reply));
        return null;
    }

    private Resp usedNodeIds() {
        List<Resp> ids = new ArrayList<>();
        for (RaftPeer p : node.voters()) ids.add(Resp.integer(Long.parseLong(p.getId().toString())));
        return Resp.array(ids);
    }

    /** RAFT.DEBUG COMMANDSPEC cmd: how the module classifies a command (name of its kind). */
    private Resp commandSpec(byte[][] argv) {
        if (argv.length < 3) return Errors.wrongArity("raft.debug");
        CommandTable.Spec spec = tables.table().lookup(Arrays.copyOfRange(argv, 2, argv.length));
        return spec == null ? Resp.error("ERR unknown command") : Resp.bulk(spec.kind().name().toLowerCase());
    }
}
