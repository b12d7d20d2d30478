package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.MicroOp;
import io.redisraft.jepsen.history.Status;
import io.redisraft.jepsen.history.Txn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Within one atomic txn: a read must reflect the txn's own earlier appends and none of its later
 * ones, and once a key has been read, later reads must equal that read plus the txn's appends
 * since then.
 */
final class InternalConsistency {

    private InternalConsistency() { }

    static void check(Txn txn, Anomalies anomalies) {
        if (txn.status() != Status.OK) {
            return;
        }
        Map<String, List<Long>> ownAppends = new HashMap<>();
        Map<String, List<Long>> expectedView = new HashMap<>(); // known only after a first read
        Map<Long, Integer> appendIndex = new HashMap<>();
        for (int i = 0; i < txn.ops().size(); i++) {
            if (txn.ops().get(i) instanceof MicroOp.Append a) {
                appendIndex.putIfAbsent(a.value(), i);
            }
        }
        for (int i = 0; i < txn.ops().size(); i++) {
            MicroOp op = txn.ops().get(i);
            if (op instanceof MicroOp.Append a) {
                ownAppends.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a.value());
                List<Long> view = expectedView.get(a.key());
                if (view != null) {
                    view.add(a.value());
                }
            } else if (op instanceof MicroOp.Read r && r.values() != null) {
                List<Long> view = expectedView.get(r.key());
                List<Long> own = ownAppends.getOrDefault(r.key(), List.of());
                if (view != null && !view.equals(r.values())) {
                    anomalies.add("internal-inconsistency", "in " + txn + ": read of key " + r.key()
                            + " = " + Anomalies.abbrev(r.values()) + " but the txn's earlier read plus its own"
                            + " appends since then give " + Anomalies.abbrev(view));
                } else if (view == null && !endsWith(r.values(), own)) {
                    anomalies.add("internal-inconsistency", "in " + txn + ": read of key " + r.key()
                            + " = " + Anomalies.abbrev(r.values()) + " does not end with the txn's own appends "
                            + own);
                }
                for (Long v : r.values()) {
                    Integer at = appendIndex.get(v);
                    if (at != null && at > i) {
                        anomalies.add("internal-inconsistency", "in " + txn + ": read of key " + r.key()
                                + " already contains " + v + ", which the txn appends only later");
                    }
                }
                expectedView.put(r.key(), new ArrayList<>(r.values()));
            }
        }
    }

    private static boolean endsWith(List<Long> values, List<Long> suffix) {
        int off = values.size() - suffix.size();
        return off >= 0 && values.subList(off, values.size()).equals(suffix);
    }
}
