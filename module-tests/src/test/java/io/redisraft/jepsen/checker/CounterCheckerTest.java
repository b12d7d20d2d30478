package io.redisraft.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.IncrOp;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterCheckerTest {

    // OK sum 5, INFO sum 10 (the FAIL one never counts): valid range [5, 15].
    private static final List<IncrOp> HISTORY = List.of(
            IncrOp.ok(0, 2, 0, 10),
            IncrOp.ok(1, 3, 5, 15),
            IncrOp.ok(2, 4, 5, 0).info(),
            IncrOp.ok(3, 6, 20, 0).info(),
            IncrOp.ok(0, 100, 20, 30).failed());

    private final CounterChecker checker = new CounterChecker();

    @Test
    void withinBounds() {
        for (long v : new long[] {5, 9, 11, 15}) {
            CheckResult r = checker.check(HISTORY, v);
            assertTrue(r.valid(), r::summary);
        }
    }

    @Test
    void belowOkSum() {
        CheckResult r = checker.check(HISTORY, 4);
        assertFalse(r.valid());
        assertTrue(r.anomalies().get(0).contains("lost increments"), r::summary);
    }

    @Test
    void aboveOkPlusInfo() {
        CheckResult r = checker.check(HISTORY, 16);
        assertFalse(r.valid());
        assertTrue(r.anomalies().get(0).contains("[5, 15]"), r::summary);
    }
}
