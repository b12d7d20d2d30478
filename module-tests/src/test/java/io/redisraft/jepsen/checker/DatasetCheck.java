package io.redisraft.jepsen.checker;

import io.redisraft.harness.Datasets;
import io.redisraft.harness.RaftCluster;
import io.redisraft.jepsen.history.CheckResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * After a run: every node holds exactly the same data (DEBUG DIGEST covers every key, its
 * value and its deadline), compared at one applied index (see Datasets#digestsAtOneIndex).
 * A difference at the same index is an anomaly; never reaching the same index leaves the
 * run unverified.
 */
public final class DatasetCheck {
    public static final String NAME = "identical-datasets";

    private DatasetCheck() {}

    public static CheckResult check(RaftCluster cluster, Duration patience) {
        Optional<Map<String, String>> digests = Datasets.digestsAtOneIndex(cluster, patience);
        if (digests.isEmpty()) {
            return CheckResult.of(NAME, List.of(), "nodes never stood at the same applied index", 1);
        }
        if (digests.get().values().stream().distinct().count() == 1) return CheckResult.ok(NAME);
        return CheckResult.invalid(NAME, List.of("datasets differ at the same applied index: " + digests.get()
                + "\n" + describe(cluster)));
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
