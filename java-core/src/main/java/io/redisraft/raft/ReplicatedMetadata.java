package io.redisraft.raft;

/**
 * State of the module's own that entries of the Raft log change, besides the dataset, and
 * that snapshots therefore carry in the RDB's Raft metadata (sharding.ShardGroups).
 */
public interface ReplicatedMetadata {
    /** What snapshots taken from now on carry: one line of text, "" for nothing. */
    String current();

    /** Main thread: the dataset was replaced; its snapshot carried {@code text} ("" for a new, empty cluster). */
    void replaced(String text);
}
