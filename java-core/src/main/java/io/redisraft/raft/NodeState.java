package io.redisraft.raft;

/** The node's life cycle, as INFO raft's raft_state shows it. */
public enum NodeState {
    UNINITIALIZED("uninitialized"),
    JOINING("joining"),
    LOADING("loading"),
    UP("up"),
    /** Removed from its cluster: it serves no commands until it is wiped and joins again. */
    REMOVED("removed"),
    /** A committed entry could not be applied here: it serves no commands (see the log). */
    FAILED("failed");

    private final String label;

    NodeState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
