package io.redisraft.commands;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RedisRaft's own classification of commands, as RAFT.DEBUG COMMANDSPEC reports it: its
 * static table, raft.ignored-commands, and Redis's COMMAND table (readonly flag and
 * nondeterminism tips), combined as RedisRaft combines them. This module classifies
 * commands itself ({@link CommandTable}); these flags exist for RedisRaft's users and
 * tools. Pure logic.
 */
final class RedisRaftFlags {
    static final int READONLY = 2;
    static final int UNSUPPORTED = 8;
    static final int DONT_INTERCEPT = 16;
    static final int SORT_REPLY = 32;
    static final int RANDOM = 64;
    static final int SCRIPTS = 128;
    static final int BLOCKING = 256;
    static final int MULTI = 512;
    static final int SUBCOMMAND = 1024;

    private static final Map<String, Integer> STATIC = new HashMap<>();

    private static void put(int flags, String... names) {
        for (String n : names) STATIC.put(n, flags);
    }

    static {
        put(UNSUPPORTED, "sync", "psync", "reset", "bgrewriteaof", "slaveof", "replicaof", "debug", "save", "bgsave",
                "xrange", "xrevrange", "xlen", "xread", "xreadgroup", "xgroup", "xsetid", "xinfo", "xdel");
        put(UNSUPPORTED | RANDOM, "xadd", "xack", "xpending", "xclaim", "xautoclaim", "xtrim");
        put(DONT_INTERCEPT | RANDOM, "time");
        put(DONT_INTERCEPT, "unsubscribe", "sunsubscribe", "punsubscribe", "auth", "ping", "hello", "module",
                "config", "monitor", "command", "shutdown", "quit", "slowlog", "acl", "raft", "raft.entry",
                "raft.cluster", "raft.shardgroup", "raft.node", "raft.ae", "raft.requestvote", "raft.snapshot",
                "raft.debug", "raft.nodeshutdown", "raft.transfer_leader", "raft.timeout_now", "raft._sort_reply",
                "raft._reject_random_command", "raft.import");
        put(DONT_INTERCEPT | SUBCOMMAND, "client");
        put(SCRIPTS, "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");
        put(BLOCKING, "brpop", "brpoplpush", "blmove", "blpop", "blmpop", "bzpopmin", "bzpopmax", "bzmpop");
        put(READONLY, "publish", "spublish", "pubsub", "raft.scan");
        put(MULTI, "multi");
    }

    /** The flags of every command RedisRaft knows, given Redis's COMMAND table and raft.ignored-commands. */
    static Map<String, Integer> table(Map<String, List<String>> commandFlags, Map<String, List<String>> commandTips,
                                      Set<String> ignored) {
        Map<String, Integer> table = new HashMap<>(STATIC);
        for (String name : ignored) table.merge(name, DONT_INTERCEPT, (a, b) -> a | b);
        for (Map.Entry<String, List<String>> e : commandFlags.entrySet()) {
            List<String> tips = commandTips.getOrDefault(e.getKey(), List.of());
            int flags = 0;
            if (e.getValue().contains("readonly")) flags |= READONLY;
            if (tips.contains("nondeterministic_output")) flags |= RANDOM;
            if (tips.contains("nondeterministic_output_order")) flags |= SORT_REPLY;
            if (flags != 0) table.merge(e.getKey(), flags, (a, b) -> a | b);
        }
        return table;
    }
}
