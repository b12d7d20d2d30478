package io.redisraft.commands;

import io.redisraft.blocking.BlockingCommand;
import io.redisraft.blocking.Waiters;
import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.bridge.Shim;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.config.RedisSettingRules;
import io.redisraft.determinism.SetPop;
import io.redisraft.determinism.StreamIds;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.scripts.ScriptBodies;
import io.redisraft.security.Access;
import io.redisraft.security.AclRules;
import io.redisraft.security.ClientAuth;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.sharding.SlotMover;
import io.redisraft.watch.Watches;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Client commands the filter sent to the module (RAFT &lt;command&gt; ...): checks them as
 * Redis would (existence, arity, authentication, ACL) and decides, per
 * {@link CommandTable}, whether a command is replicated, read on the leader, queued in
 * a transaction or refused. Main thread only.
 */
final class ClientCommands {
    private static final Resp NOSCRIPT = Resp.error("NOSCRIPT No matching script. Please use EVAL.");
    private static final byte[][] NOSCRIPT_COMMAND = {"RAFT._NOSCRIPT".getBytes(StandardCharsets.UTF_8)};
    private static final byte[] SELECT_IN_UNIT = "RAFT._SELECT".getBytes(StandardCharsets.UTF_8);
    private static final byte[] COMMAND = "COMMAND".getBytes(StandardCharsets.UTF_8);
    private static final byte[] GETKEYS = "GETKEYS".getBytes(StandardCharsets.UTF_8);

    private final RedisApi redis;
    private final RaftConfig config;
    private final RaftNode node;
    private final ScriptBodies scripts;
    private final ClientAuth auth;
    private final LeaderWait leaderWait;
    private volatile CommandTable table;
    private final Transactions transactions;
    private final ClusterTopology topology;
    private final SetPop setPop;
    private final Waiters waiters;
    private final Watches watches;
    private final ShardGroups shards;
    private final SlotMover mover;
    /** Clients that sent ASKING: their next command, or their transaction up to EXEC, may use an importing slot. */
    private final Set<Long> asking = new HashSet<>();

    ClientCommands(RedisApi redis, RaftConfig config, RaftNode node, CommandTable table, ScriptBodies scripts,
                   ClientAuth auth, LeaderWait leaderWait, SetPop setPop, Waiters waiters, Watches watches,
                   ShardGroups shards, SlotMover mover) {
        this.mover = mover;
        this.redis = redis;
        this.transactions = new Transactions(redis.shim());
        this.leaderWait = leaderWait;
        this.config = config;
        this.node = node;
        this.table = table;
        this.scripts = scripts;
        this.auth = auth;
        this.shards = shards;
        this.topology = new ClusterTopology(redis, node, shards);
        this.setPop = setPop;
        this.waiters = waiters;
        this.watches = watches;
    }

    void setTable(CommandTable table) {
        this.table = table;
    }

    void clientGone(long clientId) {
        transactions.clientGone(clientId);
        asking.remove(clientId);
        waiters.clientGone(clientId);
        watches.forget(clientId);
    }

    void handle(Caller caller, byte[][] argv) {
        if (argv.length == 0) {
            redis.reply(caller.ctx(), Errors.wrongArity("raft"));
            return;
        }
        CommandTable.Spec spec = table.lookup(argv);
        if (spec == null) spec = table.learn(redis, CommandTable.lower(argv[0]));
        Transactions.Transaction tx = transactions.get(caller.clientId());
        Resp refusal = check(caller, spec, argv, tx);
        Resp immediate;
        if (refusal != null) {
            if (tx != null && spec != null && spec.kind() == CommandKind.EXEC) transactions.end(caller.clientId());
            else if (tx != null) tx.aborted = true;
            immediate = refusal;
        } else {
            immediate = tx != null ? queue(caller, tx, spec, argv) : dispatch(caller, spec, argv);
        }
        if (immediate != null) redis.reply(caller.ctx(), immediate);
        // ASKING lasts for one command, or for a whole transaction (as Redis Cluster).
        boolean askedNow = spec != null && spec.kind() == CommandKind.ASKING;
        if (!askedNow && transactions.get(caller.clientId()) == null) asking.remove(caller.clientId());
    }

    /**
     * What is checked before a command runs, in RedisRaft's order: authentication, then (for
     * commands that need the cluster) whether this node is a member that serves, then
     * Redis's own checks (existence, arity, ACL). Null if the command may run.
     */
    private Resp check(Caller caller, CommandTable.Spec spec, byte[][] argv, Transactions.Transaction tx) {
        boolean authCommand = spec != null && spec.kind() == CommandKind.AUTH;
        if (!authCommand && !auth.authenticated(caller.clientId(), Access.defaultUser(caller.security()),
                caller.resp3())) {
            return ClientAuth.NOAUTH;
        }
        if (!servedOutsideACluster(spec, tx)) {
            Resp notMember = node.membershipRefusal();
            if (notMember != null) return notMember;
        }
        if (spec == null) return Errors.unknownCommand(argv);
        if (!spec.arityAccepts(argv.length)) return Errors.wrongArity(spec.name());
        int access = Access.result(caller.security());
        return access == Access.OK ? null : auth.denied(caller.ctx(), access, spec.name());
    }

    /**
     * What a node answers before it belongs to a cluster, as RedisRaft: local commands, and
     * the MULTI layer (queuing, and EXEC without MULTI); an EXEC with a transaction needs one.
     */
    private static boolean servedOutsideACluster(CommandTable.Spec spec, Transactions.Transaction tx) {
        if (spec == null) return false;
        return switch (spec.kind()) {
            case INFO, MULTI, DISCARD, PASSTHROUGH, AUTH, CONFIG_SET, SELECT, CLIENT_UNBLOCK -> true;
            case EXEC -> tx == null;
            default -> tx != null;
        };
    }

    /** Handles a command outside MULTI; returns a reply to send now, or null if answered later. */
    private Resp dispatch(Caller caller, CommandTable.Spec spec, byte[][] argv) {
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
            case WATCH:
                return watch(caller, argv);
            case AUTH:
                return auth.auth(caller.ctx(), caller.clientId(), argv);
            case CONFIG_SET:
                return configSet(argv);
            case SELECT:
                return select(caller, argv);
            case CLIENT_UNBLOCK:
                return clientUnblock(argv);
            case ASKING:
                if (!shards.enabled()) return Resp.error("ERR This instance has cluster support disabled");
                asking.add(caller.clientId());
                return Resp.OK;
            case MIGRATE: {
                if (!shards.enabled()) return Errors.NOT_SUPPORTED;
                Resp refusal = node.refusal();
                if (refusal != null) return refusal;
                BlockedClient client = redis.block(caller.ctx());
                mover.migrate(argv, reply -> redis.unblock(client, reply));
                return null;
            }
            case PASSTHROUGH:
                // Only reachable for a command the filter did not know yet: run it as Redis would.
                return executeLocally(caller, CommandCodec.encodeUnit(unitFlags(caller), caller.db(), argv));
            case INFO:
                return topology.info(argv);
            case CLUSTER:
                return topology.cluster(argv, caller.db());
            default:
                break;
        }
        if (refusedOverMaxmemory(caller, spec)) return Errors.OOM;
        ShardGroups.Placement placed = shards.place(List.<byte[][]>of(argv), asking.contains(caller.clientId()),
                this::keysOf);
        if (placed.refusal() != null) return placed.refusal();
        byte[][] command = withLeaderChoices(spec, argv);
        if (spec.runsScript()) {
            command = withScriptBody(argv);
            if (command == null) return NOSCRIPT;
            if (spec.kind() == CommandKind.READ) learnScript(command);
        }
        // Outside MULTI a blocking command may keep its client waiting (in MULTI it does not, as in Redis).
        BlockingCommand waitsFor = spec.roles().contains(CommandTable.InternalRole.BLOCKING_POP)
                ? BlockingCommand.parse(argv) : null;
        if (waitsFor != null && waitsFor.read() != null) {
            // XREAD's "$" must mean the same entries when the command is sent again later.
            command = BlockingCommand.withLastIdsResolved(command,
                    key -> StreamIds.lastGeneratedId(line -> redis.callInDb(caller.db(), line), key));
            waitsFor = BlockingCommand.parse(command);
        }
        List<byte[][]> commands = placed.guard() == null ? List.<byte[][]>of(command) : List.of(placed.guard(), command);
        int flags = unitFlags(caller) | (waitsFor != null ? CommandCodec.UNIT_MAY_WAIT : 0)
                | (placed.guard() != null ? CommandCodec.UNIT_GUARDED : 0);
        byte[] unit = CommandCodec.encodeUnit(flags, caller.db(), scriptRules(caller, spec.runsScript()), commands);
        if (waitsFor != null) return submitWaiting(caller, unit, waitsFor, placed);
        return submit(caller, unit, spec.kind() == CommandKind.READ, CommandTable.leaderOnly(spec.name()), placed);
    }

    /** Handles a command inside MULTI. */
    private Resp queue(Caller caller, Transactions.Transaction tx, CommandTable.Spec spec, byte[][] argv) {
        switch (spec.kind()) {
            case MULTI:
                return Errors.NESTED_MULTI;
            case DISCARD:
                transactions.end(caller.clientId());
                watches.forget(caller.clientId());
                return Resp.OK;
            case EXEC:
                return exec(caller, transactions.end(caller.clientId()));
            default:
                break;
        }
        if (spec.name().equals("watch")) return Errors.WATCH_IN_MULTI; // the transaction stays open, as in Redis
        if (spec.kind() == CommandKind.SELECT) {
            // The rest of the transaction runs in that database, and the client keeps it (exec.c).
            tx.commands.add(new byte[][] {SELECT_IN_UNIT, argv[1]});
            return Resp.simple("QUEUED");
        }
        // Over maxmemory Redis refuses every command queued in MULTI (queuing itself takes memory).
        if (caller.outOfMemory()) {
            tx.aborted = true;
            return Errors.OOM;
        }
        if (spec.kind() == CommandKind.PASSTHROUGH && CommandTable.queuedInMulti(spec.name())) {
            tx.commands.add(argv); // the filter sends these only on Redis 7.2+ (CommandTable.QUEUED_IN_MULTI)
            return Resp.simple("QUEUED");
        }
        switch (spec.kind()) {
            case UNSUPPORTED:
            case PASSTHROUGH:
            case INFO:
            case CLUSTER:
            case AUTH:
            case CONFIG_SET:
            case CLIENT_UNBLOCK:
            case ASKING:
            case MIGRATE:
                tx.aborted = true;
                return spec.kind() == CommandKind.UNSUPPORTED ? Errors.NOT_SUPPORTED
                        : Resp.error("ERR not supported by RedisRaft inside MULTI/EXEC");
            default:
                break;
        }
        tx.commands.add(argv);
        if (spec.kind() != CommandKind.READ) tx.readOnly = false;
        return Resp.simple("QUEUED");
    }

    private Resp exec(Caller caller, Transactions.Transaction tx) {
        byte[][] watchCheck = watches.takeCheck(caller.clientId());
        if (tx.aborted) return Errors.EXECABORT;
        if (tx.commands.isEmpty() && watchCheck == null) return Resp.array();
        ShardGroups.Placement placed = shards.place(tx.commands, asking.contains(caller.clientId()), this::keysOf);
        if (placed.refusal() != null) return placed.refusal();
        List<byte[][]> commands = new ArrayList<>(tx.commands.size() + 2);
        if (placed.guard() != null) commands.add(placed.guard());
        if (watchCheck != null) commands.add(watchCheck);
        boolean scripted = false;
        for (byte[][] c : tx.commands) {
            CommandTable.Spec spec = table.lookup(c);
            byte[][] command = withLeaderChoices(spec, c);
            if (spec != null && spec.runsScript()) {
                scripted = true;
                command = withScriptBody(c);
                if (command == null) command = NOSCRIPT_COMMAND; // answers NOSCRIPT in its place, as Redis would
            }
            commands.add(command);
        }
        int flags = unitFlags(caller) | CommandCodec.UNIT_TRANSACTION
                | (watchCheck != null ? CommandCodec.UNIT_CONDITIONAL : 0)
                | (placed.guard() != null ? CommandCodec.UNIT_GUARDED : 0);
        byte[] unit = CommandCodec.encodeUnit(flags, caller.db(), scriptRules(caller, scripted), commands);
        boolean leaderOnly = tx.commands.stream().map(table::lookup)
                .anyMatch(spec -> spec != null && CommandTable.leaderOnly(spec.name()));
        // A transaction of reads only needs a read barrier, not a log entry.
        return submit(caller, unit, tx.readOnly, leaderOnly, placed);
    }

    /**
     * Over maxmemory, Redis refuses deny-oom commands, and the first write of a script. A
     * script's writes are applied on every node without that check (see exec.c), so here
     * a script that may write is refused up front.
     */
    private static boolean refusedOverMaxmemory(Caller caller, CommandTable.Spec spec) {
        boolean mayFillMemory = spec.denyOom() || (spec.runsScript() && spec.kind() == CommandKind.WRITE);
        return mayFillMemory && caller.outOfMemory();
    }

    /**
     * EVALSHA as EVAL with the script's body (EVALSHA_RO as EVAL_RO), so that the log
     * does not depend on any node's script cache; null if the body is unknown here.
     * Other commands are returned as they are.
     */
    private byte[][] withScriptBody(byte[][] argv) {
        String name = CommandTable.lower(argv[0]);
        if (!name.startsWith("evalsha")) return argv;
        byte[] body = scripts.body(argv[1]);
        if (body == null) return null;
        byte[][] out = argv.clone();
        out[0] = (name.equals("evalsha_ro") ? "EVAL_RO" : "EVAL").getBytes(StandardCharsets.UTF_8);
        out[1] = body;
        return out;
    }

    /** SPOP with the members the leader proposes (determinism.SetPop); other commands as they are. */
    private byte[][] withLeaderChoices(CommandTable.Spec spec, byte[][] argv) {
        boolean random = spec != null && spec.roles().contains(CommandTable.InternalRole.RANDOM_CHOICE);
        return random ? setPop.withLeaderChoice(argv) : argv;
    }

    /** EVAL_RO runs on the leader only: the leader learns its body here (replicated scripts are learned when applied). */
    private void learnScript(byte[][] command) {
        if (CommandTable.lower(command[0]).equals("eval_ro")) scripts.learn(command[1]);
    }

    /**
     * The ACL rules a unit runs under: its caller's, if it runs a script (every node then
     * grants and refuses the script's commands alike); null otherwise.
     */
    private List<String> scriptRules(Caller caller, boolean scripted) {
        if (!scripted) return null;
        List<String> lines = new ArrayList<>();
        for (Resp line : redis.call("ACL", "LIST").asList()) lines.add(line.asText());
        List<String> rules = AclRules.of(redis.clientUser(caller.ctx()), lines);
        return rules != null ? rules : List.of();
    }

    /** CONFIG SET, refusing settings that would make the nodes' datasets differ. */
    private Resp configSet(byte[][] argv) {
        for (int i = 2; i + 1 < argv.length; i += 2) {
            String name = CommandTable.lower(argv[i]);
            String problem = name.equals("maxmemory-policy") ? RedisSettingRules.evictionProblem(Errors.text(argv[i + 1]))
                    : null;
            if (problem != null) {
                return Resp.error("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - " + problem);
            }
        }
        return redis.call(argv);
    }

    /** leaderOnly: the unit must run on the leader (PUBLISH), even when a follower proxies the others. */
    private Resp submit(Caller caller, byte[] unit, boolean readOnly, boolean leaderOnly, ShardGroups.Placement placed) {
        if (readOnly && config.flag(ConfigOption.TEST_UNSAFE_READS)) return executeLocally(caller, unit);
        if (!readOnly && unit.length > node.maxUnitBytes()) return Errors.tooLarge(node.maxUnitBytes());
        return leaderWait.run(caller, deferred -> {
            Resp refusal = leaderOnly ? node.refusal(placed.slot()) : node.clientRefusal(placed.slot());
            if (refusal != null) return refusal;
            if (!readOnly) node.write(unit, caller.clientId(), deferred.block());
            else if (deferred.waited()) node.read(unit, deferred.block());
            else node.read(unit, caller.ctx(), config.flag(ConfigOption.QUORUM_READS));
            return null;
        });
    }

    /**
     * SELECT index: Redis's replies; the client keeps the database, and every unit it sends
     * from now on carries it (see Caller#db).
     */
    private Resp select(Caller caller, byte[][] argv) {
        int db;
        try {
            db = Integer.parseInt(Errors.text(argv[1]));
        } catch (NumberFormatException e) {
            return Resp.error("ERR invalid DB index");
        }
        // As Redis Cluster: hash slots are of database 0.
        if (db != 0 && shards.enabled()) return Resp.error("ERR SELECT is not allowed in cluster mode");
        return redis.selectDb(caller.ctx(), db) ? Resp.OK : Resp.error("ERR DB index is out of range");
    }

    /**
     * WATCH key... / UNWATCH. WATCH records the keys' states on the leader, where EXEC will
     * be sent (a follower answers MOVED, as for any command that needs the cluster).
     */
    private Resp watch(Caller caller, byte[][] argv) {
        if (CommandTable.lower(argv[0]).equals("unwatch")) {
            watches.forget(caller.clientId());
            return Resp.OK;
        }
        ShardGroups.Placement placed = shards.place(List.<byte[][]>of(argv), asking.contains(caller.clientId()),
                this::keysOf);
        if (placed.refusal() != null) return placed.refusal();
        Resp refusal = node.clientRefusal(placed.slot());
        if (refusal != null) return refusal;
        watches.watch(caller.clientId(), caller.db(), List.of(argv).subList(1, argv.length), node.logTime(),
                node.applier().appliedIndex());
        return Resp.OK;
    }

    /** A blocking command: like a write, and the client may then be kept waiting (blocking.Waiters). */
    private Resp submitWaiting(Caller caller, byte[] unit, BlockingCommand waitsFor, ShardGroups.Placement placed) {
        if (unit.length > node.maxUnitBytes()) return Errors.tooLarge(node.maxUnitBytes());
        return leaderWait.run(caller, deferred -> {
            Resp refusal = node.clientRefusal(placed.slot());
            if (refusal != null) return refusal;
            waiters.submit(deferred.block(), caller.clientId(), caller.db(), unit, waitsFor);
            return null;
        });
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: a client this node keeps waiting is answered here, others by Redis. */
    private Resp clientUnblock(byte[][] argv) {
        if (argv.length == 3 || argv.length == 4) {
            try {
                long id = Long.parseLong(Errors.text(argv[2]));
                String mode = argv.length == 4 ? CommandTable.lower(argv[3]) : "timeout";
                if ((mode.equals("timeout") || mode.equals("error")) && waiters.unblock(id, mode.equals("error"))) {
                    return Resp.integer(1);
                }
            } catch (NumberFormatException e) {
                // Redis answers it
            }
        }
        return redis.call(argv);
    }

    /** Runs a unit locally and replies to the caller directly. */
    private Resp executeLocally(Caller caller, byte[] unit) {
        redis.execute(unit, 0, unit.length, new long[] {caller.ctx()}, Shim.EXEC_DIRECT, 0, 0);
        return null;
    }

    /** The keys of a command, as Redis finds them (none for a command without keys, or with bad arguments). */
    private List<byte[]> keysOf(byte[][] command) {
        byte[][] call = new byte[command.length + 2][];
        call[0] = COMMAND;
        call[1] = GETKEYS;
        System.arraycopy(command, 0, call, 2, command.length);
        List<byte[]> keys = new ArrayList<>();
        for (Resp key : redis.call(call).asList()) {
            if (key instanceof Resp.Bulk b && b.bytes() != null) keys.add(b.bytes());
        }
        return keys;
    }

    private static int unitFlags(Caller caller) {
        return caller.resp3() ? CommandCodec.UNIT_RESP3 : 0;
    }
}
