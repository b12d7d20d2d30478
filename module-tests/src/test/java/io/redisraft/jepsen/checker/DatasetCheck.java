package io.redisraft.jepsen.checker;

import io.redisraft.harness.Datasets;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.jepsen.history.CheckResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After a run: every node holds exactly the same data (DEBUG DIGEST covers every key, its
 * value and its deadline). Nodes are compared at the same applied index: a node's digest
 * counts only if its applied index did not move while it was taken, and the comparison
 * is retried until every node reports the same index (the leader's expiry sweep may still
 * append entries). A difference at the same index is an anomaly; never reaching the same
 * index leaves the run unverified.
 */
public final class DatasetCheck {
    public static final String NAME = "identical-datasets";

    private DatasetCheck() {}

    public static CheckResult check(RaftCluster cluster, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            cluster.awaitConverged();
            Map<String, List<String>> byIndex = new TreeMap<>();
            Map<String, String> digests = new TreeMap<>();
            for (RedisNode n : cluster.running()) {
                String before = n.info("raft_last_applied_index");
                String digest = Datasets.digest(n);
                String after = n.info("raft_last_applied_index");
                if (!before.equals(after)) continue;
                byIndex.computeIfAbsent(after, k -> new ArrayList<>()).add(n.toString());
                digests.put(n.toString(), after + ":" + digest);
            }
            if (byIndex.size() == 1 && digests.size() == cluster.running().size()) {
                long distinct = digests.values().stream().distinct().count();
                if (distinct == 1) return CheckResult.ok(NAME);
                return CheckResult.invalid(NAME, List.of("datasets differ at the same applied index: " + digests
                        + "\n" + describe(cluster)));
            }
            last = "applied indexes " + byIndex;
            RedisNode.sleep(200);
        }
        return CheckResult.of(NAME, List.of(), "nodes never stood at the same applied index (" + last + ")", 1);
    }

    private static String describe(RaftCluster cluster) {
        try {
            Datasets.assertIdentical(cluster.running());
            return "(no key differs when read again)";
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }
}
