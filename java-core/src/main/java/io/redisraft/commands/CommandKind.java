package io.redisraft.commands;

/** How the module treats a client command. */
public enum CommandKind {
    /** Appended to the Raft log and applied on every node. */
    WRITE,
    /** Executed on the leader only, after a read barrier when raft.quorum-reads is on. */
    READ,
    /** Not intercepted: Redis runs it locally, as if the module were not there. */
    PASSTHROUGH,
    /** Refused with "not supported by RedisRaft". */
    UNSUPPORTED,
    MULTI,
    EXEC,
    DISCARD,
    /** Answered locally with cluster_enabled:1, so cluster-aware clients follow -MOVED. */
    INFO,
    /** CLUSTER SLOTS / NODES / SHARDS, describing the Raft cluster as one shard. */
    CLUSTER,
    /** AUTH: checked and done by the module, which must know who authenticated (security.ClientAuth). */
    AUTH,
    /** CONFIG SET: run locally, refusing settings that would make the nodes diverge. */
    CONFIG_SET,
    /** SELECT: the module sets the client's database, which its later units carry (in MULTI: RAFT._SELECT). */
    SELECT,
    /** CLIENT UNBLOCK: answers a client kept waiting by the module (blocking.Waiters), else runs locally. */
    CLIENT_UNBLOCK,
    /** WATCH / UNWATCH: the leader records the watched keys' states for the next EXEC (watch.Watches). */
    WATCH,
    /** ASKING: the client's next command (or transaction) may use a slot this shard group is importing. */
    ASKING,
    /** MIGRATE ... KEYS: moves keys of a migrating slot to the importing shard group (sharding.SlotMover). */
    MIGRATE
}
