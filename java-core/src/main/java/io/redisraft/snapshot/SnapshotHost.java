package io.redisraft.snapshot;

import java.util.concurrent.CompletableFuture;

/** What the snapshot machinery needs from the Raft node. */
public interface SnapshotHost {
    /** The cluster id, or null while the node is not a member. */
    String dbid();

    /** The running member's snapshot store, or null while Ratis does not run. */
    SnapshotStore store();

    /** Bytes of Raft log on disk. */
    long logFileSize();

    /** Entries in the Raft log (since its start: the last snapshot, or the first entry). */
    long logEntryCount();

    /** Main thread: last applied index and term (the state a fork captures). */
    long appliedIndex();

    long appliedTerm();

    /** Asks Ratis to take note of the newest snapshot and drop the log before it. */
    CompletableFuture<Void> compactLog();

    /** Main thread: the dataset is being replaced by a snapshot (true) or has been (false). */
    void loading(boolean inProgress);

    /** Main thread: the dataset now is the one of the snapshot at index/term, which carried {@code cluster}. */
    void datasetReplaced(long index, long term, ClusterMetadata cluster);
}
