package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.MicroOp;
import io.redisraft.jepsen.history.Status;
import io.redisraft.jepsen.history.Txn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict-serializability real-time checks for list-append: once an OK txn T1 has completed,
 * any OK txn T2 invoked afterwards must see at least what T1 appended or read, and any value
 * T2 appends (T2 OK, or INFO and present) must come after every value T1 appended.
 *
 * <p>Since committed states are prefixes of the final list, "T1 appended v" means the key held
 * at least position(v)+1 elements when T1 completed, and "T1 read n elements" means at least n.
 * Each T2 read is compared with the maximum such bound over txns completed before T2's
 * invocation (a sorted sweep instead of comparing all pairs). Reads that are not prefixes of
 * the final list are reported elsewhere and skipped here.
 */
final class RealTimeOrder {

    /** A lower bound on the committed length of a key, established when {@code txn} completed. */
    private record Bound(int length, Txn txn, Long appended) { }

    private RealTimeOrder() { }

    static void check(List<Txn> history, List<ListAppendChecker.ObservedRead> reads,
                      Map<String, List<Long>> finals, Map<String, Map<Long, Integer>> finalPos,
                      Anomalies anomalies) {
        Map<String, List<Bound>> byKey = new HashMap<>();
        Map<String, List<Bound>> appendsByKey = new HashMap<>();
        for (Txn txn : history) {
            if (txn.status() == Status.OK) {
                strongestBounds(txn, finals, finalPos).forEach(
                        (k, b) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(b));
                for (MicroOp op : txn.ops()) {
                    Integer pos = op instanceof MicroOp.Append a
                            ? finalPos.getOrDefault(a.key(), Map.of()).get(a.value()) : null;
                    if (pos != null) {
                        appendsByKey.computeIfAbsent(op.key(), x -> new ArrayList<>())
                                .add(new Bound(pos + 1, txn, ((MicroOp.Append) op).value()));
                    }
                }
            }
        }
        Map<String, SortedBounds> sorted = new HashMap<>();
        byKey.forEach((k, list) -> sorted.put(k, new SortedBounds(list)));
        Map<String, SortedBounds> sortedAppends = new HashMap<>();
        appendsByKey.forEach((k, list) -> sortedAppends.put(k, new SortedBounds(list)));

        for (ListAppendChecker.ObservedRead o : reads) {
            MicroOp.Read r = o.read();
            List<Long> fin = finals.getOrDefault(r.key(), List.of());
            SortedBounds sb = sorted.get(r.key());
            if (sb == null || ListAppendChecker.firstMismatch(r.values(), fin) >= 0) {
                continue;
            }
            Bound b = sb.strongestCompletedBefore(o.txn().invokeNanos());
            if (b == null || r.values().size() >= b.length()) {
                continue;
            }
            String why = b.appended() != null
                    ? "misses value " + b.appended() + " appended by " + b.txn()
                    : "has " + r.values().size() + " elements but " + b.txn() + " had already read "
                      + b.length();
            anomalies.add("stale-read", "read of key " + r.key() + " by " + o.txn() + " = "
                    + Anomalies.abbrev(r.values()) + " " + why
                    + ", which completed before the reader was invoked");
        }
        for (Txn txn : history) {
            if (txn.status() == Status.FAIL) {
                continue;
            }
            for (MicroOp op : txn.ops()) {
                if (op instanceof MicroOp.Append a) {
                    checkAppendOrder(txn, a, sortedAppends.get(a.key()), finalPos.getOrDefault(a.key(), Map.of()),
                            anomalies);
                }
            }
        }
    }

    /**
     * An append lands after every value appended by a txn that completed before it was invoked
     * (read lengths are left to the read checks, which report a read of a later append).
     */
    private static void checkAppendOrder(Txn txn, MicroOp.Append a, SortedBounds sb, Map<Long, Integer> positions,
                                         Anomalies anomalies) {
        Integer pos = positions.get(a.value());
        if (sb == null || pos == null) {
            return; // absent: lost (OK txns) or never applied (INFO txns), reported elsewhere if wrong
        }
        Bound b = sb.strongestCompletedBefore(txn.invokeNanos());
        if (b == null || pos >= b.length()) {
            return;
        }
        anomalies.add("real-time-append-order", "value " + a.value() + " appended to key " + a.key() + " by " + txn
                + " is at position " + pos + ", before value " + b.appended() + " appended by " + b.txn()
                + ", which completed before it was invoked");
    }

    /** Per key touched by {@code txn}: the largest committed length it proves. */
    private static Map<String, Bound> strongestBounds(Txn txn, Map<String, List<Long>> finals,
                                                     Map<String, Map<Long, Integer>> finalPos) {
        Map<String, Bound> best = new HashMap<>();
        for (MicroOp op : txn.ops()) {
            Bound b = null;
            if (op instanceof MicroOp.Append a) {
                Integer pos = finalPos.getOrDefault(a.key(), Map.of()).get(a.value());
                if (pos != null) { // a lost append is reported separately
                    b = new Bound(pos + 1, txn, a.value());
                }
            } else if (op instanceof MicroOp.Read r && r.values() != null
                    && ListAppendChecker.firstMismatch(r.values(), finals.getOrDefault(r.key(), List.of())) < 0) {
                b = new Bound(r.values().size(), txn, null);
            }
            if (b != null) {
                best.merge(op.key(), b, (x, y) -> y.length() > x.length() ? y : x);
            }
        }
        return best;
    }

    /** Bounds of one key sorted by completion time, with running maxima for prefix queries. */
    private static final class SortedBounds {
        private final long[] completes;
        private final Bound[] prefixMax;

        SortedBounds(List<Bound> bounds) {
            bounds.sort(Comparator.comparingLong(b -> b.txn().completeNanos()));
            completes = new long[bounds.size()];
            prefixMax = new Bound[bounds.size()];
            Bound max = null;
            for (int i = 0; i < bounds.size(); i++) {
                Bound b = bounds.get(i);
                completes[i] = b.txn().completeNanos();
                if (max == null || b.length() > max.length()) {
                    max = b;
                }
                prefixMax[i] = max;
            }
        }

        /** Strongest bound among txns with completion strictly before {@code time}, or null. */
        Bound strongestCompletedBefore(long time) {
            int lo = 0;
            int hi = completes.length; // first index with completes[i] >= time
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (completes[mid] < time) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == 0 ? null : prefixMax[lo - 1];
        }
    }
}
