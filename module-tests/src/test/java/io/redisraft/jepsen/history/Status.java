package io.redisraft.jepsen.history;

/** Outcome of a client operation as observed by the client. */
public enum Status {
    /** Completed with a reply; the op took effect exactly once between invoke and complete. */
    OK,
    /** Definitely not applied (e.g. an error reply produced before execution). */
    FAIL,
    /**
     * Outcome unknown (timeout, connection lost): the op may or may not have taken effect,
     * at any time after its invocation.
     */
    INFO
}
