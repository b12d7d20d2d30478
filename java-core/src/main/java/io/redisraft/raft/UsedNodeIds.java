package io.redisraft.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Every node id ever used in the cluster, oldest first: ids of configuration entries as
 * they are applied, plus those named by the snapshot the dataset came from (RDB
 * metadata), so the history survives compaction. A removed id never joins again. Any
 * thread.
 */
final class UsedNodeIds {
    private final LinkedHashSet<Integer> ids = new LinkedHashSet<>();

    /** Adds ids; returns whether any was new. */
    synchronized boolean addAll(Collection<Integer> more) {
        return ids.addAll(more);
    }

    synchronized boolean contains(int id) {
        return ids.contains(id);
    }

    synchronized List<Integer> list() {
        return new ArrayList<>(ids);
    }

    synchronized void clear() {
        ids.clear();
    }
}
