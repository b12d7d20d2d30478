package io.redisraft.info;

/** Where INFO fields go; Redis prefixes section and field names with "raft_". */
public interface InfoSink {
    void section(String name);

    void field(String name, String value);

    default void field(String name, long value) {
        field(name, Long.toString(value));
    }
}
