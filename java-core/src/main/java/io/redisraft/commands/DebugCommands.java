package io.redisraft.commands;

import io.redisraft.bridge.HandoffCheck;
import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.bridge.CommandCodec;
import io.redisraft.raft.NodeState;
import io.redisraft.raft.RaftNode;
import io.redisraft.snapshot.SnapshotManager;
import io.redisraft.resp.Resp;
import io.redisraft.util.Threads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

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
            case "nodecfg":
                return nodeConfig(argv);
            case "handoff":
                return handoff(caller, argv);
            case "compact":
                return compact(caller, argv);
            case "oom":
                return exhaustHeap();
            default:
                return Resp.error("ERR invalid debug subcommand");
        }
    }

    /** RAFT.DEBUG EXEC cmd [args...]: runs the command on this node, bypassing Raft. */
    private Resp exec(Caller caller, byte[][] argv) {
        if (argv.length < 3) return Errors.wrongArity("raft.debug");
        byte[][] command = Arrays.copyOfRange(argv, 2, argv.length);
        byte[] unit = CommandCodec.encodeUnit(caller.resp3() ? CommandCodec.UNIT_RESP3 : 0, caller.db(), command);
        redis.execute(unit, 0, unit.length, new long[] {caller.ctx()}, Shim.EXEC_DIRECT, 0, 0);
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
        if (node.state() != NodeState.UP) return node.refusal();
        if (async) {
            snapshots.start(null);
            return Resp.OK;
        }
        RedisApi.BlockedClient client = redis.block(caller.ctx());
        snapshots.start(reply -> redis.unblock(client, reply));
        return null;
    }

    /**
     * RAFT.DEBUG OOM: like Redis's DEBUG OOM, for testing what an exhausted heap does. A
     * thread holds on to ever more of the Java heap until it runs out, keeps it full for a
     * few seconds (the node's own threads meet the shortage, as in a real leak) and lets go.
     * Its own OutOfMemoryError is swallowed: the node must notice the shortage by itself.
     */
    private Resp exhaustHeap() {
        Threads.daemon(() -> {
            List<long[]> held = new ArrayList<>();
            try {
                while (true) held.add(new long[1 << 14]);
            } catch (OutOfMemoryError expected) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            held.clear();
        }, "raft-debug-oom").start();
        return Resp.OK;
    }

    /** RAFT.DEBUG USED_NODE_IDS: every node id ever used in this cluster, newest first. */
    private Resp usedNodeIds() {
        List<Integer> used = new ArrayList<>(node.usedNodeIds());
        Collections.reverse(used);
        List<Resp> ids = new ArrayList<>();
        for (int id : used) ids.add(Resp.integer(id));
        return Resp.array(ids);
    }

    /** RAFT.DEBUG COMMANDSPEC cmd: RedisRaft's integer flags of a command (see RedisRaftFlags). */
    private Resp commandSpec(byte[][] argv) {
        if (argv.length != 3) return Resp.error("ERR invalid debug subcommand");
        Integer flags = tables.table().redisRaftFlags(CommandTable.lower(argv[2]));
        return flags == null ? Resp.error("ERR unknown command") : Resp.integer(flags);
    }

    /**
     * RAFT.DEBUG NODECFG id "+voting -active ...": RedisRaft's test hook changes a node's flags
     * in this node's Raft library only. Ratis keeps membership in the replicated configuration,
     * which one node cannot change alone, so here the command checks its arguments as
     * RedisRaft does and changes nothing.
     */
    private Resp nodeConfig(byte[][] argv) {
        if (argv.length != 4) return Errors.wrongArity("raft.debug");
        int id;
        try {
            id = Integer.parseInt(Errors.text(argv[2]));
        } catch (NumberFormatException e) {
            return Resp.error("ERR invalid node id");
        }
        boolean known = node.identity() != null && (node.identity().nodeId() == id || node.isMember(id));
        if (!known) return Resp.error("ERR node does not exist");
        for (String option : Errors.text(argv[3]).split(" ")) {
            if (option.isEmpty()) continue;
            String o = option.toLowerCase(Locale.ROOT);
            if (!o.equals("+voting") && !o.equals("-voting") && !o.equals("+active") && !o.equals("-active")) {
                return Resp.error("ERR invalid nodecfg option");
            }
        }
        return Resp.OK;
    }
}
