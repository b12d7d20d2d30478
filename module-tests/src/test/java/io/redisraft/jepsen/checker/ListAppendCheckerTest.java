package io.redisraft.jepsen.checker;

import static io.redisraft.jepsen.history.MicroOp.append;
import static io.redisraft.jepsen.history.MicroOp.read;
import static io.redisraft.jepsen.history.Txn.ok;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.Txn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListAppendCheckerTest {

    private final ListAppendChecker checker = new ListAppendChecker();

    private static void assertValid(CheckResult r) {
        assertTrue(r.valid(), r::summary);
    }

    /** Invalid, and every anomaly has the expected kind tag and mentions {@code detail}. */
    private static void assertOnly(CheckResult r, String kind, String detail) {
        assertFalse(r.valid(), r::summary);
        for (String a : r.anomalies()) {
            assertTrue(a.startsWith("[" + kind + "]") && a.contains(detail), r::summary);
        }
    }

    private static void assertHas(CheckResult r, String kind) {
        assertFalse(r.valid(), r::summary);
        assertTrue(r.anomalies().stream().anyMatch(a -> a.startsWith("[" + kind + "]")), r::summary);
    }

    @Test
    void validHistory() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1), append("y", 10)),
                ok(1, 5, 15, read("x", 1L), append("x", 2), read("x", 1L, 2L)),
                ok(2, 20, 30, read("x", 1L, 2L), read("y", 10L), append("y", 11)),
                ok(0, 20, 40, append("x", 3)).info(),
                ok(1, 35, 50, read("y", 10L, 11L), read("x", 1L, 2L, 3L)),
                ok(2, 35, 36, append("x", 4)).failed());
        assertValid(checker.check(h, Map.of("x", List.of(1L, 2L, 3L), "y", List.of(10L, 11L))));
    }

    @Test
    void lostAppend() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L)));
        assertOnly(r, "lost-append", "value 2");
    }

    @Test
    void duplicatedAppend() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, read("x", 1L, 1L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L)));
        assertHas(r, "duplicated-append");
        assertTrue(r.anomalies().get(0).contains("value 1 appears 2 times"), r::summary);
    }

    @Test
    void readOfFailedAppend() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 0, 10, append("x", 2)).failed(),
                ok(2, 20, 30, read("x", 1L, 2L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L, 2L)));
        assertOnly(r, "aborted-read", "value 2");
        assertTrue(r.anomalies().size() == 2, r::summary); // in the read and in the final list
    }

    @Test
    void phantomValue() {
        List<Txn> h = List.of(ok(0, 0, 10, read("x", 42L)));
        assertOnly(checker.check(h, Map.of("x", List.of(42L))), "phantom-read", "value 42");
    }

    @Test
    void nonPrefixRead() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 0, 10, append("x", 2)),
                ok(2, 5, 15, read("x", 2L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L, 2L)));
        assertOnly(r, "non-prefix-read", "at index 0 the read has 2 but the final list has 1");
    }

    @Test
    void realTimeStaleRead() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, read("x")));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L)));
        assertOnly(r, "stale-read", "misses value 1");
    }

    @Test
    void realTimeReadShorterThanEarlierRead() {
        List<Txn> h = List.of(
                ok(0, 0, 100, append("x", 1)),
                ok(1, 0, 100, append("x", 2)),
                ok(2, 10, 20, read("x", 1L, 2L)),
                ok(3, 30, 40, read("x", 1L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L, 2L)));
        assertOnly(r, "stale-read", "had already read 2");
    }

    @Test
    void readOfValueAppendedByLaterTxn() {
        List<Txn> h = List.of(
                ok(0, 0, 10, read("x", 1L)),
                ok(1, 20, 30, append("x", 1)).info());
        assertOnly(checker.check(h, Map.of("x", List.of(1L))), "future-read", "value 1");
    }

    @Test
    void concurrentReadMayMissConcurrentAppend() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 5, 30, read("x")));
        assertValid(checker.check(h, Map.of("x", List.of(1L))));
    }

    @Test
    void internalInconsistencyWithOwnAppend() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2), read("x", 2L, 1L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L, 2L)));
        assertHas(r, "internal-inconsistency");
    }

    @Test
    void internalInconsistencyBetweenReads() {
        List<Txn> h = List.of(
                ok(0, 0, 100, append("x", 1)),
                ok(1, 0, 100, read("x"), read("x", 1L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L)));
        assertOnly(r, "internal-inconsistency", "earlier read");
    }

    @Test
    void readOfOwnLaterAppend() {
        List<Txn> h = List.of(ok(0, 0, 10, read("x", 1L), append("x", 1)));
        assertOnly(checker.check(h, Map.of("x", List.of(1L))), "internal-inconsistency", "appends only later");
    }

    @Test
    void infoAppendAppearingOnceIsAccepted() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2)).info(),
                ok(2, 40, 50, read("x", 1L, 2L)));
        assertValid(checker.check(h, Map.of("x", List.of(1L, 2L))));
        // ... and so is never appearing.
        assertValid(checker.check(h.subList(0, 2), Map.of("x", List.of(1L))));
    }

    @Test
    void infoAppendAppearingTwiceIsRejected() {
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2)).info(),
                ok(2, 40, 50, read("x", 1L, 2L, 2L)));
        CheckResult r = checker.check(h, Map.of("x", List.of(1L, 2L, 2L)));
        assertOnly(r, "duplicated-append", "value 2 appears 2 times");
    }

    @Test
    void anAppendOrderedBeforeOneThatCompletedEarlierIsRejected() {
        // T1 appended 1 and completed before T2 was invoked, yet T2's 2 comes first.
        List<Txn> h = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2)));
        assertOnly(checker.check(h, Map.of("x", List.of(2L, 1L))), "real-time-append-order", "value 2");
        // The same for an INFO append that was applied.
        List<Txn> info = List.of(
                ok(0, 0, 10, append("x", 1)),
                ok(1, 20, 30, append("x", 2)).info());
        assertOnly(checker.check(info, Map.of("x", List.of(2L, 1L))), "real-time-append-order", "value 2");
    }

    @Test
    void concurrentAppendsMayLandInEitherOrder() {
        List<Txn> h = List.of(
                ok(0, 0, 30, append("x", 1)),
                ok(1, 10, 20, append("x", 2)));
        assertValid(checker.check(h, Map.of("x", List.of(2L, 1L))));
        assertValid(checker.check(h, Map.of("x", List.of(1L, 2L))));
    }
}
