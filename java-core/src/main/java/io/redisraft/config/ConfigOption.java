package io.redisraft.config;

import java.util.function.Function;

/**
 * Every raft.* option the Java side owns (raft.java-home and raft.jvm-options are
 * owned by the shim because the JVM needs them before it exists). Names, types,
 * defaults and ranges follow RedisRaft; the options after {@link #MIGRATION_DEBUG}
 * are this module's own. Values travel to and from Redis as text: "1"/"0" for
 * booleans, decimal numbers for numeric and enum options.
 */
public enum ConfigOption {
    ID("id", Type.NUMERIC, 0, 0, Integer.MAX_VALUE, 0, Scope.BEFORE_INIT),
    ADDR("addr", "", Scope.BEFORE_INIT, Validators::hostPortOrEmpty),
    PERIODIC_INTERVAL("periodic-interval", millis(100)),
    REQUEST_TIMEOUT("request-timeout", millis(200)),
    ELECTION_TIMEOUT("election-timeout", millis(1000)),
    CONNECTION_TIMEOUT("connection-timeout", millis(3000)),
    JOIN_TIMEOUT("join-timeout", millis(120000)),
    RESPONSE_TIMEOUT("response-timeout", millis(1000)),
    PROXY_RESPONSE_TIMEOUT("proxy-response-timeout", millis(10000)),
    RECONNECT_INTERVAL("reconnect-interval", millis(100)),
    SHARDGROUP_UPDATE_INTERVAL("shardgroup-update-interval", millis(5000)),
    APPEND_REQ_MAX_COUNT("append-req-max-count", Type.NUMERIC, 2, 1, Integer.MAX_VALUE, 0, Scope.ALWAYS),
    APPEND_REQ_MAX_SIZE("append-req-max-size", Type.NUMERIC, 2097152, 1, Integer.MAX_VALUE, Flags.MEMORY, Scope.ALWAYS),
    SNAPSHOT_REQ_MAX_COUNT("snapshot-req-max-count", Type.NUMERIC, 32, 1, Integer.MAX_VALUE, 0, Scope.ALWAYS),
    SNAPSHOT_REQ_MAX_SIZE("snapshot-req-max-size", Type.NUMERIC, 65536, 1, Integer.MAX_VALUE, Flags.MEMORY, Scope.ALWAYS),
    LOG_MAX_CACHE_SIZE("log-max-cache-size", Type.NUMERIC, 64000000, 0, Long.MAX_VALUE, Flags.MEMORY, Scope.ALWAYS),
    LOG_MAX_FILE_SIZE("log-max-file-size", Type.NUMERIC, 128000000, 0, Long.MAX_VALUE, Flags.MEMORY, Scope.ALWAYS),
    SCAN_SIZE("scan-size", Type.NUMERIC, 1000, 1, Long.MAX_VALUE, 0, Scope.ALWAYS),
    LOG_FSYNC("log-fsync", true),
    FOLLOWER_PROXY("follower-proxy", false),
    QUORUM_READS("quorum-reads", true),
    SHARDING("sharding", false),
    EXTERNAL_SHARDING("external-sharding", Type.BOOL, 0, 0, 1, 0, Scope.BEFORE_INIT),
    /** Read when the Raft server starts (see RaftTransport): fixed once the node is a member. */
    TLS_ENABLED("tls-enabled", Type.BOOL, 0, 0, 1, 0, Scope.BEFORE_INIT),
    LOG_FILENAME("log-filename", "redisraft.db", Scope.BEFORE_INIT, Validators::path),
    SLOT_CONFIG("slot-config", "0:16383", Scope.BEFORE_INIT, Validators::slotConfig),
    IGNORED_COMMANDS("ignored-commands", "", Scope.ALWAYS, v -> null),
    CLUSTER_USER("cluster-user", "default", Scope.ALWAYS, v -> null),
    CLUSTER_PASSWORD("cluster-password", Type.STRING, 0, 0, 0, Flags.SENSITIVE | Flags.HIDDEN, Scope.ALWAYS),
    LOGLEVEL("loglevel", Type.ENUM, 2, 0, 0, 0, Scope.ALWAYS, "debug:0,verbose:1,notice:2,warning:3"),
    TRACE("trace", Type.ENUM, 0, 0, 0, Flags.BITFLAGS, Scope.ALWAYS,
            "off:0,node:1,conn:2,raftlib:4,raftlog:8,generic:16,migration:32,all:63"),
    // RedisRaft's hidden test knobs.
    LOG_DELAY_APPLY("log-delay-apply", Type.NUMERIC, 0, 0, Long.MAX_VALUE, Flags.HIDDEN, Scope.ALWAYS),
    SNAPSHOT_DELAY("snapshot-delay", Type.NUMERIC, 0, 0, Long.MAX_VALUE, Flags.HIDDEN, Scope.ALWAYS),
    LOG_DISABLE_APPLY("log-disable-apply", Type.BOOL, 0, 0, 1, Flags.HIDDEN, Scope.ALWAYS),
    SNAPSHOT_FAIL("snapshot-fail", Type.BOOL, 0, 0, 1, Flags.HIDDEN, Scope.ALWAYS),
    SNAPSHOT_DISABLE("snapshot-disable", Type.BOOL, 0, 0, 1, Flags.HIDDEN, Scope.ALWAYS),
    SNAPSHOT_DISABLE_LOAD("snapshot-disable-load", Type.BOOL, 0, 0, 1, Flags.HIDDEN, Scope.ALWAYS),
    MIGRATION_DEBUG("migration-debug", Type.ENUM, 0, 0, 0, Flags.HIDDEN, Scope.ALWAYS,
            "none:0,fail-connect:1,fail-import:2,fail-unlock:3"),
    // Options of this module.
    /** Port of the Raft (Ratis gRPC) listener; 0 = the Redis port + 10000. */
    RPC_PORT("rpc-port", Type.NUMERIC, 0, 0, 65535, 0, Scope.BEFORE_INIT),
    /** Address the Raft port binds to; "" = the host of raft.addr if it is local, else every address. */
    RPC_BIND("rpc-bind", "", Scope.BEFORE_INIT, v -> null),
    /**
     * A planted bug for the fault suite's red test: every node answers reads from its own
     * state at once, leader or not, so reads can be stale. Never set it in production.
     */
    TEST_UNSAFE_READS("test-unsafe-reads", Type.BOOL, 0, 0, 1, Flags.HIDDEN, Scope.ALWAYS);

    public enum Type { STRING, BOOL, NUMERIC, ENUM }

    /** When CONFIG SET may change the option. */
    public enum Scope {
        ALWAYS,
        /** Only until the node has initialised or joined a cluster. */
        BEFORE_INIT
    }

    /** The shim's flag values (Redis's REDISMODULE_CONFIG_*). */
    public static final class Flags {
        public static final int SENSITIVE = 1 << 1;
        public static final int HIDDEN = 1 << 4;
        public static final int MEMORY = 1 << 7;
        public static final int BITFLAGS = 1 << 8;

        private Flags() {}
    }

    private final String name;
    private final Type type;
    private final String defaultString;
    private final long defaultNumber;
    private final long min;
    private final long max;
    private final int flags;
    private final Scope scope;
    private final String enumSpec;
    private final Function<String, String> validator;

    ConfigOption(String name, Type type, long defaultNumber, long min, long max, int flags, Scope scope) {
        this(name, type, defaultNumber, min, max, flags, scope, "");
    }

    ConfigOption(String name, Type type, long defaultNumber, long min, long max, int flags, Scope scope,
                 String enumSpec) {
        this.name = name;
        this.type = type;
        this.defaultString = "";
        this.defaultNumber = defaultNumber;
        this.min = min;
        this.max = max;
        this.flags = flags;
        this.scope = scope;
        this.enumSpec = enumSpec;
        this.validator = v -> null;
    }

    ConfigOption(String name, String defaultString, Scope scope, Function<String, String> validator) {
        this.name = name;
        this.type = Type.STRING;
        this.defaultString = defaultString;
        this.defaultNumber = 0;
        this.min = 0;
        this.max = 0;
        this.flags = 0;
        this.scope = scope;
        this.enumSpec = "";
        this.validator = validator;
    }

    ConfigOption(String name, boolean defaultValue) {
        this(name, Type.BOOL, defaultValue ? 1 : 0, 0, 1, 0, Scope.ALWAYS);
    }

    ConfigOption(String name, Millis millis) {
        this(name, Type.NUMERIC, millis.value, 1, Integer.MAX_VALUE, 0, Scope.ALWAYS);
    }

    private record Millis(long value) {}

    private static Millis millis(long value) {
        return new Millis(value);
    }

    /** The name without the "raft." prefix Redis adds. */
    public String shortName() {
        return name;
    }

    public String fullName() {
        return "raft." + name;
    }

    public Type type() {
        return type;
    }

    public String defaultString() {
        return defaultString;
    }

    public long defaultNumber() {
        return defaultNumber;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public int flags() {
        return flags;
    }

    public Scope scope() {
        return scope;
    }

    public String enumSpec() {
        return enumSpec;
    }

    /** Returns an error message if the text is not acceptable, null otherwise. */
    public String validate(String value) {
        String problem = validator.apply(value);
        return problem == null ? null : fullName() + " " + problem;
    }
}
