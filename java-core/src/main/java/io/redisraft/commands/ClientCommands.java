package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.raft.CommandCodec;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;

/**
 * Client commands the filter sent to the module (RAFT &lt;command&gt; ...): decides,
 * per {@link CommandTable}, whether a command is replicated, read on the leader,
 * queued in a transaction or refused. Main thread only.
 */
final class ClientCommands {
    private final RedisApi redis;
    private final RaftConfig config;
    private final RaftNode node;
    private volatile CommandTable table;
    private final Transactions transactions = new Transactions();
    private final ClusterTopology topology;

    ClientCommands(RedisApi redis, RaftConfig config, RaftNode node, CommandTable table) {
        this.redis = redis;
        this.config = config;
        this.node = node;
        this.table = table;
        this.topology = new ClusterTopology(redis, node);
    }

    void setTable(CommandTable table) {
        this.table = table;
    }

    void clientGone(long clientId) {
        transactions.clientGone(clientId);
    }

    void handle(Caller caller, byte[][] argv) {
        if (argv.length == 0) {
            redis.reply(caller.ctx(), Errors.wrongArity("raft"));
            return;
        }
        CommandTable.Spec spec = table.lookup(argv);
        if (spec == null) spec = table.learn(redis, CommandTable.lower(argv[0]));
        Transactions.Transaction tx = transactions.get(caller.clientId());
        Resp immediate = tx != null ? queue(caller, tx, spec, argv) : dispatch(caller, spec, argv);
        if (immediate != null) redis.reply(caller.ctx(), immediate);
    }

    /** Handles a command outside MULTI; returns a reply to send now, or null if answered later. */
    private Resp dispatch(Caller caller, CommandTable.Spec spec, byte[][] argv) {
        if (spec == null) return Errors.unknownCommand(argv);
        switch (spec.kind()) {
            case UNSUPPORTED:
                return Errors.NOT_SUPPORTED;
            case MULTI:
                transactions.begin(caller.clientId());
                return Resp.OK;
            case EXEC:
                return Errors.EXEC_WITHOUT_MULTI;
            case DISCARD:
                return Errors.DISCARD_WITHOUT_MULTI;
            case PASSTHROUGH:
                // Only reachable for a command the filter did not know yet: run it as Redis would.
                return executeLocally(caller, CommandCodec.encodeUnit(unitFlags(caller), argv));
            case INFO:
                return topology.info(argv);
            case CLUSTER:
                return topology.cluster(argv);
            default:
                break;
        }
        if (!spec.arityAccepts(argv.length)) return Errors.wrongArity(spec.name());
        if (spec.kind() == CommandKind.WRITE && spec.denyOom() && caller.outOfMemory()) return Errors.OOM;
        return submit(caller, CommandCodec.encodeUnit(unitFlags(caller), argv), spec.kind() == CommandKind.READ);
    }

    /** Handles a command inside MULTI. */
    private Resp queue(Caller caller, Transactions.Transaction tx, CommandTable.Spec spec, byte[][] argv) {
        if (spec == null) {
            tx.aborted = true;
            return Errors.unknownCommand(argv);
        }
        switch (spec.kind()) {
            case MULTI:
                return Errors.NESTED_MULTI;
            case DISCARD:
                transactions.end(caller.clientId());
                return Resp.OK;
            case EXEC:
                return exec(caller, transactions.end(caller.clientId()));
            case UNSUPPORTED:
            case PASSTHROUGH:
            case INFO:
            case CLUSTER:
                tx.aborted = true;
                return spec.kind() == CommandKind.UNSUPPORTED ? Errors.NOT_SUPPORTED
                        : Resp.error("ERR not supported by RedisRaft inside MULTI/EXEC");
            default:
                break;
        }
        if (!spec.arityAccepts(argv.length)) {
            tx.aborted = true;
            return Errors.wrongArity(spec.name());
        }
        if (spec.denyOom() && caller.outOfMemory()) {
            tx.aborted = true;
            return Errors.OOM;
        }
        tx.commands.add(argv);
        if (spec.kind() != CommandKind.READ) tx.readOnly = false;
        return Resp.simple("QUEUED");
    }

    private Resp exec(Caller caller, Transactions.Transaction tx) {
        if (tx.aborted) return Errors.EXECABORT;
        if (tx.commands.isEmpty()) return Resp.array();
        byte[] unit = CommandCodec.encodeUnit(unitFlags(caller) | CommandCodec.UNIT_TRANSACTION, tx.commands);
        // A transaction of reads only needs a read barrier, not a log entry.
        return submit(caller, unit, tx.readOnly);
    }

    private Resp submit(Caller caller, byte[] unit, boolean readOnly) {
        if (readOnly && config.flag(ConfigOption.TEST_UNSAFE_READS)) return executeLocally(caller, unit);
        Resp refusal = node.refusal();
        if (refusal != null) return refusal;
        if (readOnly) {
            if (!config.flag(ConfigOption.QUORUM_READS)) return executeLocally(caller, unit);
            node.read(unit, caller.ctx());
            return null;
        }
        if (unit.length > node.maxUnitBytes()) return Errors.tooLarge(node.maxUnitBytes());
        node.write(unit, caller.clientId(), redis.block(caller.ctx()));
        return null;
    }

    /** Runs a unit locally and replies to the caller directly. */
    private Resp executeLocally(Caller caller, byte[] unit) {
        redis.execute(unit, 0, unit.length, new long[] {caller.ctx()}, Shim.EXEC_DIRECT);
        return null;
    }


    private static int unitFlags(Caller caller) {
        return caller.resp3() ? CommandCodec.UNIT_RESP3 : 0;
    }
}
