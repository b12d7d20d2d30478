package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.MicroOp;
import io.redisraft.jepsen.history.Status;
import io.redisraft.jepsen.history.Txn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a history of atomic list-append transactions (RPUSH of globally unique values,
 * LRANGE reads) against quiet final reads of every key.
 *
 * <p>Because every committed state of a key is a prefix of its final list, positions in the
 * final list give a total order of the appends of that key; most checks reduce to comparing
 * reads with that list. Reads of INFO/FAIL transactions are unknown and skipped; appends of
 * INFO transactions may be present at most once or absent.
 */
public final class ListAppendChecker {

    public static final String NAME = "list-append";

    /** Who appended a value. */
    record Appender(Txn txn, String key) { }

    /** One OK read, with its transaction. */
    record ObservedRead(Txn txn, MicroOp.Read read) { }

    public CheckResult check(List<Txn> history, Map<String, List<Long>> finalLists) {
        Anomalies anomalies = new Anomalies();
        Map<Long, Appender> appenders = indexAppends(history, anomalies);
        // A key with no final read is treated as empty: all its committed appends are lost.
        Map<String, List<Long>> finals = new TreeMap<>(finalLists);
        Map<String, Map<Long, Integer>> finalPos = new HashMap<>();
        for (Map.Entry<String, List<Long>> e : finals.entrySet()) {
            checkValues("final list", null, e.getKey(), e.getValue(), appenders, anomalies);
            finalPos.put(e.getKey(), positions(e.getValue()));
        }

        List<ObservedRead> reads = new ArrayList<>();
        for (Txn txn : history) {
            if (txn.status() != Status.OK) {
                continue;
            }
            for (MicroOp op : txn.ops()) {
                if (op instanceof MicroOp.Append a) {
                    if (!finalPos.getOrDefault(a.key(), Map.of()).containsKey(a.value())) {
                        anomalies.add("lost-append", "key " + a.key() + ": value " + a.value()
                                + " appended by " + txn + " is missing from the final list "
                                + Anomalies.abbrev(finals.getOrDefault(a.key(), List.of())));
                    }
                } else if (op instanceof MicroOp.Read r && r.values() != null) {
                    reads.add(new ObservedRead(txn, r));
                    checkValues("read", txn, r.key(), r.values(), appenders, anomalies);
                    checkPrefix(txn, r, finals.getOrDefault(r.key(), List.of()), anomalies);
                }
            }
            InternalConsistency.check(txn, anomalies);
        }
        RealTimeOrder.check(history, reads, finals, finalPos, anomalies);
        return CheckResult.of(NAME, anomalies.list(), null);
    }

    private static Map<Long, Appender> indexAppends(List<Txn> history, Anomalies anomalies) {
        Map<Long, Appender> appenders = new HashMap<>();
        for (Txn txn : history) {
            for (MicroOp op : txn.ops()) {
                if (op instanceof MicroOp.Append a) {
                    Appender prev = appenders.putIfAbsent(a.value(), new Appender(txn, a.key()));
                    if (prev != null) {
                        // The generator must use unique values; otherwise reads are ambiguous.
                        anomalies.add("non-unique-append", "value " + a.value() + " appended by both "
                                + prev.txn() + " and " + txn);
                    }
                }
            }
        }
        return appenders;
    }

    /**
     * Duplicates, phantom/aborted values, and (for reads inside a txn) values appended by a
     * txn that started only after the reader had completed.
     */
    private static void checkValues(String what, Txn reader, String key, List<Long> values,
                                    Map<Long, Appender> appenders, Anomalies anomalies) {
        String where = what + " of key " + key + (reader == null ? "" : " by " + reader);
        Set<Long> seen = new HashSet<>();
        Set<Long> reported = new HashSet<>();
        for (Long v : values) {
            if (!seen.add(v)) {
                if (reported.add(v)) {
                    anomalies.add("duplicated-append", "value " + v + " appears "
                            + count(values, v) + " times in " + where + ": " + Anomalies.abbrev(values));
                }
                continue;
            }
            Appender a = appenders.get(v);
            if (a == null) {
                anomalies.add("phantom-read", "value " + v + " in " + where + " was never appended");
            } else if (!a.key().equals(key)) {
                anomalies.add("phantom-read", "value " + v + " in " + where + " was appended to key "
                        + a.key() + " by " + a.txn());
            } else if (a.txn().status() == Status.FAIL) {
                anomalies.add("aborted-read", "value " + v + " in " + where
                        + " was appended only by failed " + a.txn());
            } else if (reader != null && a.txn().invokeNanos() > reader.completeNanos()) {
                anomalies.add("future-read", "value " + v + " in " + where + " was appended by "
                        + a.txn() + ", invoked after the reader completed");
            }
        }
    }

    private static void checkPrefix(Txn txn, MicroOp.Read r, List<Long> fin, Anomalies anomalies) {
        int i = firstMismatch(r.values(), fin);
        if (i < 0) {
            return;
        }
        String detail = i < fin.size()
                ? "at index " + i + " the read has " + r.values().get(i) + " but the final list has " + fin.get(i)
                : "the read has " + r.values().size() + " elements but the final list only " + fin.size();
        anomalies.add("non-prefix-read", "read of key " + r.key() + " by " + txn + " = "
                + Anomalies.abbrev(r.values()) + " is not a prefix of the final list "
                + Anomalies.abbrev(fin) + ": " + detail);
    }

    /** Index where {@code read} stops being a prefix of {@code fin}, or -1 if it is one. */
    static int firstMismatch(List<Long> read, List<Long> fin) {
        for (int i = 0; i < read.size(); i++) {
            if (i >= fin.size() || !read.get(i).equals(fin.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static Map<Long, Integer> positions(List<Long> values) {
        Map<Long, Integer> pos = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            pos.putIfAbsent(values.get(i), i);
        }
        return pos;
    }

    private static int count(List<Long> values, Long v) {
        int n = 0;
        for (Long x : values) {
            if (x.equals(v)) {
                n++;
            }
        }
        return n;
    }
}
