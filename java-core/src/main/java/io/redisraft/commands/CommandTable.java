package io.redisraft.commands;

import io.redisraft.blocking.BlockingCommand;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one classification of client commands (write / read / not intercepted /
 * unsupported / transaction control), built from Redis's own COMMAND table plus the
 * rules below, and pushed to the shim's command filter. It also says which of the
 * module's own calls of a command Java must complete ({@link InternalRole}): those
 * that set or read key deadlines, list keys, or answer in an order that differs
 * between nodes. Commands with the "nondeterministic_output" tip are refused inside
 * log entries (e.g. in a Lua script), where every node must reach the same result.
 */
public final class CommandTable {
    /** One command or "command|subcommand". */
    public record Spec(String name, CommandKind kind, int arity, boolean denyOom, boolean nondeterministic,
                       boolean write, Set<InternalRole> roles) {
        public boolean arityAccepts(int argc) {
            return arity >= 0 ? argc == arity : argc >= -arity;
        }

        /** EVAL, EVALSHA, FCALL and their _RO forms: they run code that calls other commands. */
        public boolean runsScript() {
            return SCRIPTS.contains(name);
        }
    }

    /** Why the module's own calls of a command go through RAFT._AS (see {@link InternalCalls}). */
    public enum InternalRole {
        /** Sets a key deadline: made absolute and shifted (expiry.Deadlines). */
        DEADLINE,
        /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: answered from the shifted deadline. */
        TTL_READ,
        /** KEYS, SCAN, RANDOMKEY: keys past their deadline are left out. */
        LISTING,
        /** The reply's order differs between nodes: sorted while a log entry is applied. */
        ORDER,
        /** Loads, runs or forgets Lua scripts: the node learns their bodies (scripts.ScriptBodies). */
        SCRIPT_SOURCE,
        /** SPOP: the members are chosen by a rank every node computes alike (determinism.SetPop). */
        RANDOM_CHOICE,
        /** BLPOP, BZPOPMIN, ...: applied without waiting; the leader may keep the client blocked (blocking.Waiters). */
        BLOCKING_POP,
        /** XADD: an id of "*" is fixed from the applied entry's time (determinism.StreamIds). */
        STREAM_ID,
        /** XCLAIM, XAUTOCLAIM: delivery and idle times taken at the entry's time (determinism.StreamDeliveries). */
        STREAM_CLAIM
    }

    /** RedisRaft's unsupported commands that still are (SELECT, WATCH, SPOP and streams work here). */
    private static final Set<String> UNSUPPORTED = Set.of(
            "sync", "psync", "reset", "bgrewriteaof", "slaveof", "replicaof", "debug", "save", "bgsave",
            "failover");

    /** Rules that COMMAND's flags do not give. */
    private static final Map<String, CommandKind> RULES = Map.ofEntries(
            Map.entry("multi", CommandKind.MULTI),
            Map.entry("exec", CommandKind.EXEC),
            Map.entry("discard", CommandKind.DISCARD),
            Map.entry("info", CommandKind.INFO),
            Map.entry("cluster", CommandKind.CLUSTER),
            Map.entry("auth", CommandKind.AUTH),
            Map.entry("config|set", CommandKind.CONFIG_SET),
            Map.entry("select", CommandKind.SELECT),
            Map.entry("client|unblock", CommandKind.CLIENT_UNBLOCK),
            Map.entry("watch", CommandKind.WATCH),
            Map.entry("unwatch", CommandKind.WATCH),
            Map.entry("asking", CommandKind.ASKING),
            Map.entry("migrate", CommandKind.MIGRATE),
            // Scripts run on every node; the cache of loaded scripts must be the same everywhere.
            Map.entry("eval", CommandKind.WRITE),
            Map.entry("evalsha", CommandKind.WRITE),
            Map.entry("fcall", CommandKind.WRITE),
            Map.entry("script|load", CommandKind.WRITE),
            Map.entry("script|flush", CommandKind.WRITE),
            // Messages are published by the leader only (RedisRaft treats them as reads).
            Map.entry("publish", CommandKind.READ),
            Map.entry("spublish", CommandKind.READ),
            Map.entry("pubsub", CommandKind.READ),
            Map.entry("time", CommandKind.PASSTHROUGH));

    private static final Set<String> SCRIPTS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");

    /** Commands that set deadlines; those listed in DEADLINE_OPTIONS only when given one of these options. */
    private static final Set<String> DEADLINE = Set.of("set", "getex", "setex", "psetex", "expire", "pexpire",
            "expireat", "pexpireat", "restore");
    private static final Map<String, String> DEADLINE_OPTIONS = Map.of("set", "ex,px,exat,pxat",
            "getex", "ex,px,exat,pxat");
    private static final Set<String> TTL_READS = Set.of("ttl", "pttl", "expiretime", "pexpiretime");
    private static final Set<String> LISTINGS = Set.of("keys", "scan", "randomkey");
    private static final Set<String> SCRIPT_SOURCES = Set.of("eval", "script|load", "script|flush");
    private static final Set<String> RANDOM_CHOICES = Set.of("spop");
    private static final Set<String> STREAM_IDS = Set.of("xadd");
    private static final Set<String> STREAM_CLAIMS = Set.of("xclaim", "xautoclaim");
    /**
     * Flagged nondeterministic for approximate trimming (~), which depends on how a stream's
     * entries are packed: the same on every node, given the same stream-node-max-* settings
     * (a snapshot keeps the packing).
     */
    private static final Set<String> SAME_PACKING = Set.of("xtrim");
    /** Messages reach the leader's subscribers only: these run on the leader, never through a follower's proxy. */
    private static final Set<String> LEADER_ONLY = Set.of("publish", "spublish", "pubsub");
    /** Subscriptions: taken only by the ready leader, the only node that publishes (pubsub.SubscribeGate). */
    private static final Set<String> SUBSCRIPTIONS = Set.of("subscribe", "ssubscribe", "psubscribe");
    /**
     * Commands Redis runs locally that a transaction must queue, as Redis does (their reply
     * is part of EXEC's). Redis 7.0's filter does not name the client, so there they run at once.
     */
    private static final Set<String> QUEUED_IN_MULTI = Set.of("ping", "echo");
    /** Refused while a replicated script runs: it must end the same way on every node. */
    private static final Set<String> UNKILLABLE = Set.of("script|kill", "function|kill");

    private final Map<String, Spec> specs = new HashMap<>();
    private final Set<String> ignored;
    /** COMMAND's flags and tips of top-level commands, for RedisRaft's flags. */
    private final Map<String, List<String>> commandFlags = new HashMap<>();
    private final Map<String, List<String>> commandTips = new HashMap<>();

    private CommandTable(Set<String> ignored) {
        this.ignored = ignored;
    }

    /** Main thread: reads COMMAND from Redis. {@code ignoredCommands} is raft.ignored-commands. */
    public static CommandTable load(RedisApi redis, String ignoredCommands) {
        CommandTable table = new CommandTable(parseIgnored(ignoredCommands));
        for (Resp info : redis.call("COMMAND").asList()) table.add(info, null);
        return table;
    }

    private static Set<String> parseIgnored(String list) {
        Set<String> names = new HashSet<>();
        for (String n : list.split(",")) {
            if (!n.isBlank()) names.add(n.trim().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** Adds one entry of a COMMAND reply (and its subcommands). */
    private void add(Resp info, Spec container) {
        List<Resp> f = info.asList();
        if (f.size() < 3) return;
        String name = f.get(0).asText().toLowerCase(Locale.ROOT);
        int arity = (int) ((Resp.Int) f.get(1)).value();
        List<String> flags = f.get(2).asList().stream().map(Resp::asText).toList();
        List<String> tips = f.size() > 7 ? f.get(7).asList().stream().map(Resp::asText).toList() : List.of();
        if (container == null) {
            commandFlags.put(name, flags);
            commandTips.put(name, tips);
        }
        Set<InternalRole> roles = roles(name, tips);
        // TTL replies, SPOP's choice, XADD's ids and claims' idle times are made
        // deterministic, so they are allowed in log entries and scripts.
        boolean nondeterministic = tips.contains("nondeterministic_output") && !roles.contains(InternalRole.TTL_READ)
                && !roles.contains(InternalRole.RANDOM_CHOICE) && !roles.contains(InternalRole.STREAM_ID)
                && !roles.contains(InternalRole.STREAM_CLAIM) && !SAME_PACKING.contains(name);
        Spec spec = new Spec(name, classify(name, flags, container), arity, flags.contains("denyoom"),
                nondeterministic, flags.contains("write"), roles);
        specs.put(name, spec);
        if (f.size() > 9) {
            for (Resp sub : f.get(9).asList()) add(sub, spec);
        }
    }

    private static Set<InternalRole> roles(String name, List<String> tips) {
        Set<InternalRole> roles = EnumSet.noneOf(InternalRole.class);
        if (DEADLINE.contains(name)) roles.add(InternalRole.DEADLINE);
        if (TTL_READS.contains(name)) roles.add(InternalRole.TTL_READ);
        if (LISTINGS.contains(name)) roles.add(InternalRole.LISTING);
        if (tips.contains("nondeterministic_output_order")) roles.add(InternalRole.ORDER);
        if (SCRIPT_SOURCES.contains(name)) roles.add(InternalRole.SCRIPT_SOURCE);
        if (RANDOM_CHOICES.contains(name)) roles.add(InternalRole.RANDOM_CHOICE);
        if (BlockingCommand.isBlocking(name)) roles.add(InternalRole.BLOCKING_POP);
        if (STREAM_IDS.contains(name)) roles.add(InternalRole.STREAM_ID);
        if (STREAM_CLAIMS.contains(name)) roles.add(InternalRole.STREAM_CLAIM);
        return roles;
    }

    private CommandKind classify(String name, List<String> flags, Spec container) {
        String base = container == null ? name : container.name();
        if (ignored.contains(name) || ignored.contains(base)) return CommandKind.PASSTHROUGH;
        if (base.startsWith("raft")) return CommandKind.PASSTHROUGH; // this module's own commands
        if (UNSUPPORTED.contains(base)) return CommandKind.UNSUPPORTED;
        if (RULES.containsKey(name)) return RULES.get(name);
        if (container != null && RULES.containsKey(base)) return RULES.get(base);
        if (flags.contains("write")) return CommandKind.WRITE;
        if (flags.contains("readonly")) return CommandKind.READ;
        return CommandKind.PASSTHROUGH;
    }

    /** Main thread: looks up a command Redis did not list at start (e.g. of a module loaded later). */
    public Spec learn(RedisApi redis, String name) {
        for (Resp info : redis.call("COMMAND", "INFO", name).asList()) {
            if (info instanceof Resp.Array a && a.items() != null) add(info, null);
        }
        return specs.get(name);
    }

    /** The spec of a command line (subcommand-aware), or null for a command Redis does not know. */
    public Spec lookup(byte[][] argv) {
        if (argv.length == 0) return null;
        String name = lower(argv[0]);
        Spec spec = specs.get(name);
        if (spec != null && argv.length > 1) {
            Spec sub = specs.get(name + "|" + lower(argv[1]));
            if (sub != null) return sub;
        }
        return spec;
    }

    /** RedisRaft's flags of a command (RAFT.DEBUG COMMANDSPEC), or null for one RedisRaft does not list. */
    public Integer redisRaftFlags(String name) {
        return RedisRaftFlags.table(commandFlags, commandTips, ignored).get(name);
    }

    /** Whether Redis refuses the command in scripts (COMMAND's noscript flag). */
    public boolean refusedInScripts(String name) {
        return commandFlags.getOrDefault(name, List.of()).contains("noscript");
    }

    /** Whether the command (a spec name, "container|sub" for subcommands) runs on the leader only. */
    public static boolean leaderOnly(String name) {
        int bar = name.indexOf('|');
        return LEADER_ONLY.contains(bar < 0 ? name : name.substring(0, bar));
    }

    public static String lower(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    /** Whether a transaction queues this command although Redis otherwise runs it locally. */
    public static boolean queuedInMulti(String name) {
        return QUEUED_IN_MULTI.contains(name);
    }

    /** Main thread: installs this table in the shim's command filter. */
    public void publish(Shim shim) {
        shim.rr_clear_command_flags();
        for (Spec s : specs.values()) {
            int flags = filterFlags(s);
            if (!s.name().contains("|") && hasDifferentSubcommands(s)) flags |= Shim.CMD_BY_SUBCOMMAND;
            shim.rr_set_command_flags(s.name(), flags, DEADLINE_OPTIONS.getOrDefault(s.name(), ""));
        }
    }

    private static int filterFlags(Spec s) {
        int flags = 0;
        if (s.kind() != CommandKind.PASSTHROUGH) flags |= Shim.CMD_INTERCEPT;
        if (s.nondeterministic()) flags |= Shim.CMD_NONDETERMINISTIC;
        if (s.write()) flags |= Shim.CMD_WRITE;
        if (UNKILLABLE.contains(s.name())) flags |= Shim.CMD_UNKILLABLE;
        if (SUBSCRIPTIONS.contains(s.name())) flags |= Shim.CMD_SUBSCRIBE;
        if (QUEUED_IN_MULTI.contains(s.name())) flags |= Shim.CMD_QUEUED_IN_MULTI;
        Set<InternalRole> roles = s.roles();
        if (roles.contains(InternalRole.DEADLINE)) {
            flags |= DEADLINE_OPTIONS.containsKey(s.name()) ? Shim.CMD_WRAP_IF_ARG : Shim.CMD_WRAP;
        }
        if (roles.contains(InternalRole.TTL_READ) || roles.contains(InternalRole.LISTING)
                || roles.contains(InternalRole.RANDOM_CHOICE)) {
            flags |= Shim.CMD_WRAP;
        }
        if (roles.contains(InternalRole.SCRIPT_SOURCE) || roles.contains(InternalRole.BLOCKING_POP)
                || roles.contains(InternalRole.STREAM_ID) || roles.contains(InternalRole.STREAM_CLAIM)) {
            flags |= Shim.CMD_WRAP_APPLYING;
        }
        // Only what a script reads must be the same everywhere; a client gets its reply as Redis gives it.
        if (roles.contains(InternalRole.ORDER)) flags |= Shim.CMD_WRAP_IN_SCRIPT;
        return flags;
    }

    private boolean hasDifferentSubcommands(Spec container) {
        String prefix = container.name() + "|";
        int containerFlags = filterFlags(container);
        for (Spec s : specs.values()) {
            if (s.name().startsWith(prefix) && filterFlags(s) != containerFlags) return true;
        }
        return false;
    }
}
