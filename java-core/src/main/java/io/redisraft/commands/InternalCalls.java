package io.redisraft.commands;

import io.redisraft.blocking.BlockingCommand;
import io.redisraft.blocking.Waiters;
import io.redisraft.bridge.RedisApi;
import io.redisraft.commands.CommandTable.InternalRole;
import io.redisraft.determinism.SetPop;
import io.redisraft.determinism.StreamIds;
import io.redisraft.determinism.StreamDeliveries;
import io.redisraft.expiry.Deadlines;
import io.redisraft.resp.Resp;
import io.redisraft.scripts.ReplySorter;
import io.redisraft.scripts.ScriptBodies;
import io.redisraft.security.Access;
import io.redisraft.security.AclErrors;
import io.redisraft.sharding.ShardGroups;
import io.redisraft.watch.Watches;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * RAFT._AS / RAFT._AS_RO: commands the module runs itself (applying the log, reading
 * on the leader, and the commands of scripts those run) that the shim's filter handed
 * back to Java, per {@link CommandTable.InternalRole}. Each is completed so that every
 * node gets the same result from the same log: deadlines are made absolute from the
 * entry's time, TTL replies are computed from it, keys past their deadline are left out
 * of listings, SPOP chooses its members by a rank all nodes share, XADD's "*" ids are
 * fixed from the entry's time, as are consumer groups' delivery times and the idle times
 * claims compare (determinism.StreamDeliveries), a blocking pop that finds
 * nothing lets the leader keep its client waiting (blocking.Waiters), order-dependent
 * replies are sorted while applying, script bodies are learned, RAFT._WATCH_CHECK
 * compares watched keys with their states at WATCH, and the sharding state's commands
 * (RAFT._SHARDGROUPS, RAFT._SLOT_GUARD, ...) go to sharding.ShardGroups. Inside a replicated script the
 * command is first checked against the script's user, as Redis would. Main thread.
 */
final class InternalCalls {
    private static final int RANDOMKEY_ATTEMPTS = 100;
    private static final Set<String> SHARDING_STATE = Set.of("raft._shardgroups", "raft._slot_guard", "raft._keylocks",
            "raft._import");
    /** Tells the shim to keep the client of a blocking command waiting (exec.c PARKED_REPLY). */
    private static final Resp PARKED = Resp.error("RAFTPARKED");

    private final RedisApi redis;
    private final Supplier<CommandTable> table;
    private final ScriptBodies scripts;
    private final SetPop setPop;
    private final Watches watches;
    private final Waiters waiters;
    private final StreamIds streamIds;
    private final ShardGroups shards;
    private final AclErrors aclErrors;

    InternalCalls(RedisApi redis, Supplier<CommandTable> table, ScriptBodies scripts, SetPop setPop, Watches watches,
                  Waiters waiters, ShardGroups shards, AclErrors aclErrors) {
        this.shards = shards;
        this.aclErrors = aclErrors;
        this.redis = redis;
        this.waiters = waiters;
        this.table = table;
        this.scripts = scripts;
        this.setPop = setPop;
        this.watches = watches;
        this.streamIds = new StreamIds(redis::call);
    }

    /**
     * {@code nowMs} is the applied entry's time while applying, else this node's clock;
     * {@code access} the shim's check of the command against the running unit's script user.
     */
    void handle(long ctx, long nowMs, boolean applying, int access, byte[][] argv) {
        String name = CommandTable.lower(argv[0]);
        if (name.equals("raft._watch_check")) {
            redis.reply(ctx, watches.check(argv, nowMs));
            return;
        }
        if (SHARDING_STATE.contains(name)) {
            redis.reply(ctx, shards.internal(argv, applying, nowMs));
            return;
        }
        CommandTable.Spec spec = table.get().lookup(argv);
        Set<InternalRole> roles = spec == null ? Set.of() : spec.roles();
        if (access != Access.OK) {
            redis.reply(ctx, aclErrors.scriptDenied(access, spec == null ? CommandTable.lower(argv[0]) : spec.name()));
        } else if (roles.contains(InternalRole.DEADLINE)) {
            Deadlines.Rewritten rewritten = Deadlines.rewrite(argv, nowMs);
            redis.callAndReply(ctx, rewritten.argv(), false);
            // A deadline already past removes the key at once, as Redis does.
            if (rewritten.past()) redis.expireKeysOf(rewritten.argv(), nowMs);
        } else if (roles.contains(InternalRole.SCRIPT_SOURCE)) {
            learn(argv);
            redis.callAndReply(ctx, argv, true);
        } else if (roles.contains(InternalRole.TTL_READ)) {
            redis.reply(ctx, ttl(argv, nowMs));
        } else if (roles.contains(InternalRole.RANDOM_CHOICE)) {
            redis.reply(ctx, setPop.pop(argv, nowMs));
        } else if (roles.contains(InternalRole.STREAM_ID)) {
            redis.reply(ctx, redis.call(streamIds.fixed(argv, nowMs)));
        } else if (roles.contains(InternalRole.STREAM_CLAIM)) {
            redis.reply(ctx, claim(argv, nowMs));
        } else if (roles.contains(InternalRole.BLOCKING_POP)) {
            Resp refused = redis.inScript(ctx) ? refusedInScripts(spec, argv) : null;
            if (refused != null) redis.reply(ctx, refused);
            else blockingCommand(ctx, argv, nowMs);
        } else {
            Resp reply = roles.contains(InternalRole.LISTING) ? listing(argv, nowMs) : redis.call(argv);
            if (applying && roles.contains(InternalRole.ORDER)) reply = ReplySorter.sort(spec.name(), reply);
            redis.reply(ctx, reply);
        }
    }

    /**
     * A blocking command runs once, without waiting (RM_Call cannot block), alike on every
     * node. On the node its client waits on (a client's own command, not in MULTI or a
     * script), if it finds nothing, the client is kept waiting (blocking.Waiters) instead of
     * answered. Otherwise the reply goes out as Redis gives it, in the client's protocol.
     * What XREADGROUP delivers gets the entry's time as its delivery time.
     */
    private void blockingCommand(long ctx, byte[][] argv, long nowMs) {
        BlockingCommand waiting = redis.shim().rr_unit_may_wait() == 1 ? BlockingCommand.parse(argv) : null;
        boolean mayPark = waiting != null && !waiters.couldServe(waiting);
        boolean delivers = StreamDeliveries.addsPending(argv);
        if (!mayPark && !delivers) {
            redis.callAndReply(ctx, argv, false);
            return;
        }
        Resp found = redis.call(argv); // even finding nothing, it may create a consumer
        if (delivers) restampDeliveries(argv, found, nowMs);
        boolean empty = Resp.NULL_ARRAY.equals(found) || Resp.NULL.equals(found);
        if (empty && mayPark) {
            redis.reply(ctx, PARKED);
        } else {
            redis.reply(ctx, delivers && redis.speaksResp3(ctx) ? StreamDeliveries.asResp3(found) : found);
        }
    }

    /**
     * Redis 7.0's refusals of blocking commands in scripts, which the module's wrapper would
     * otherwise let through: BLPOP and the like at all, XREAD/XREADGROUP with BLOCK.
     */
    private Resp refusedInScripts(CommandTable.Spec spec, byte[][] argv) {
        if (table.get().refusedInScripts(spec.name())) {
            return Resp.error("ERR This Redis command is not allowed from script");
        }
        for (int i = 1; i < argv.length; i++) {
            String arg = CommandTable.lower(argv[i]);
            if (arg.equals("streams")) break;
            if (arg.equals("block")) {
                return Resp.error("ERR " + new String(argv[0], StandardCharsets.UTF_8)
                        + " command is not allowed with BLOCK option from scripts");
            }
        }
        return null;
    }

    private void restampDeliveries(byte[][] argv, Resp reply, long nowMs) {
        byte[][] groupAndConsumer = StreamDeliveries.groupAndConsumer(argv);
        if (groupAndConsumer == null) return;
        for (StreamDeliveries.Delivered d : StreamDeliveries.readByGroup(reply)) {
            redis.call(StreamDeliveries.restamp(d.key(), groupAndConsumer[0], groupAndConsumer[1], d.ids(), nowMs));
        }
    }

    /** XCLAIM / XAUTOCLAIM with delivery and idle times taken at the entry's time. */
    private Resp claim(byte[][] argv, long nowMs) {
        if (argv.length <= StreamDeliveries.MIN_IDLE_ARG) return redis.call(argv); // Redis's arity error
        boolean auto = CommandTable.lower(argv[0]).equals("xautoclaim");
        byte[][] command = auto ? argv : StreamDeliveries.claimAt(argv, nowMs);
        Resp reply = redis.callAtEntryTime(command, StreamDeliveries.MIN_IDLE_ARG, nowMs);
        if (auto) {
            List<byte[]> claimed = StreamDeliveries.autoClaimed(reply);
            if (!claimed.isEmpty()) redis.call(StreamDeliveries.restamp(argv[1], argv[2], argv[3], claimed, nowMs));
        }
        return reply;
    }

    private void learn(byte[][] argv) {
        String name = CommandTable.lower(argv[0]);
        if (name.equals("eval") && argv.length > 1) {
            scripts.learn(argv[1]);
        } else if (argv.length > 1) {
            String sub = CommandTable.lower(argv[1]);
            if (sub.equals("load") && argv.length > 2) scripts.learn(argv[2]);
            if (sub.equals("flush")) scripts.forgetAll();
        }
    }

    private Resp ttl(byte[][] argv, long nowMs) {
        Deadlines.TtlQuery query = Deadlines.TtlQuery.of(argv[0]);
        if (query == null || argv.length != 2) return redis.call(argv);
        Resp stored = redis.call(new byte[][] {bytes("PEXPIRETIME"), argv[1]});
        if (!(stored instanceof Resp.Int i)) return stored;
        return Resp.integer(Deadlines.ttlReply(query, i.value(), nowMs));
    }

    /** KEYS, SCAN, RANDOMKEY without the keys past their deadline (Redis would skip expired keys). */
    private Resp listing(byte[][] argv, long nowMs) {
        String name = CommandTable.lower(argv[0]);
        if (name.equals("randomkey")) {
            for (int attempt = 0; attempt < RANDOMKEY_ATTEMPTS; attempt++) {
                Resp key = redis.call(argv);
                if (!(key instanceof Resp.Bulk b) || b.bytes() == null) return key;
                if (!redis.dueKeys(-1, List.of(b.bytes()), nowMs)[0]) return key;
            }
            return Resp.NULL;
        }
        Resp reply = redis.call(argv);
        if (name.equals("keys")) return withoutDue(reply, nowMs);
        List<Resp> page = reply.asList();
        if (page.size() != 2) return reply;
        return Resp.array(page.get(0), withoutDue(page.get(1), nowMs));
    }

    private Resp withoutDue(Resp keys, long nowMs) {
        if (!(keys instanceof Resp.Array a) || a.items() == null || a.items().isEmpty()) return keys;
        List<byte[]> names = new ArrayList<>();
        for (Resp k : a.items()) names.add(k instanceof Resp.Bulk b && b.bytes() != null ? b.bytes() : new byte[0]);
        boolean[] due = redis.dueKeys(-1, names, nowMs);
        List<Resp> kept = new ArrayList<>();
        for (int i = 0; i < due.length; i++) if (!due[i]) kept.add(a.items().get(i));
        return Resp.array(kept);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
