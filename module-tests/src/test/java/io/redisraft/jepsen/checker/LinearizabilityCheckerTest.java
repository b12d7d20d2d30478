package io.redisraft.jepsen.checker;

import static io.redisraft.jepsen.history.RegisterOp.cas;
import static io.redisraft.jepsen.history.RegisterOp.read;
import static io.redisraft.jepsen.history.RegisterOp.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final String K = "r1";
    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private CheckResult check(RegisterOp... ops) {
        return checker.check(List.of(ops));
    }

    private static void assertValid(CheckResult r) {
        assertTrue(r.valid(), r::summary);
        assertNull(r.note(), r::summary);
    }

    private static void assertInvalid(CheckResult r, String key) {
        assertFalse(r.valid(), r::summary);
        assertEquals(1, r.anomalies().size(), r::summary);
        assertTrue(r.anomalies().get(0).startsWith("key " + key + " "), r::summary);
    }

    @Test
    void sequentialHistoryIsValid() {
        assertValid(check(
                read(0, K, null, 0, 10),
                write(0, K, 1, 20, 30),
                read(1, K, 1L, 40, 50),
                write(1, K, 2, 60, 70),
                read(0, K, 2L, 80, 90),
                cas(0, K, 2, 3, true, 100, 110),
                read(1, K, 3L, 120, 130)));
    }

    @Test
    void overlappingOpsWithSingleValidOrder() {
        // Both writes span everything; the reads force w1 < read1 < w2 < read2.
        assertValid(check(
                write(0, K, 1, 0, 100),
                write(1, K, 2, 0, 100),
                read(2, K, 1L, 10, 20),
                read(3, K, 2L, 30, 40),
                read(2, K, 2L, 110, 120)));
    }

    @Test
    void concurrentReadMaySeeEitherValue() {
        assertValid(check(
                write(0, K, 1, 0, 10),
                write(0, K, 2, 20, 60),
                read(1, K, 1L, 25, 30),
                read(2, K, 2L, 30, 40),
                read(1, K, 2L, 70, 80)));
    }

    @Test
    void staleReadIsRejected() {
        assertInvalid(check(
                write(0, K, 1, 0, 10),
                write(0, K, 2, 20, 30),
                read(1, K, 1L, 40, 50)), K);
    }

    @Test
    void lostWriteIsRejected() {
        assertInvalid(check(
                write(0, K, 1, 0, 10),
                read(1, K, null, 20, 30)), K);
    }

    @Test
    void readFromDeposedLeaderIsRejected() {
        CheckResult r = check(
                write(0, K, 1, 0, 10),
                read(1, K, 1L, 12, 18),
                write(0, K, 2, 20, 30),
                read(1, K, 1L, 40, 50));
        assertInvalid(r, K);
        String text = r.anomalies().get(0);
        assertTrue(text.contains("READ -> 1") && text.contains("40..50"), text);
        assertTrue(text.contains("longest linearizable prefix has 3 of 4"), text);
        assertTrue(text.contains("[2]"), text); // the only value the register could hold
    }

    @Test
    void infoWriteThatLaterAppearsIsAccepted() {
        assertValid(check(
                write(0, K, 1, 0, 10),
                write(1, K, 2, 20, 0).info(),
                read(2, K, 1L, 30, 40),
                read(2, K, 2L, 1_000, 1_010),
                read(3, K, 2L, 2_000, 2_010)));
    }

    @Test
    void infoWriteThatNeverAppearsIsAccepted() {
        assertValid(check(
                write(0, K, 1, 0, 10),
                write(1, K, 2, 20, 0).info(),
                read(2, K, 1L, 30, 40),
                read(2, K, 1L, 1_000, 1_010)));
    }

    @Test
    void infoWriteTakesEffectAtMostOnce() {
        assertInvalid(check(
                write(1, K, 2, 0, 0).info(),
                write(0, K, 1, 10, 20),
                read(2, K, 1L, 30, 40),
                read(2, K, 2L, 50, 60),
                read(2, K, 1L, 70, 80)), K);
    }

    @Test
    void infoWriteCannotTakeEffectBeforeItsInvocation() {
        assertInvalid(check(
                read(0, K, 7L, 0, 10),
                write(1, K, 7, 20, 0).info()), K);
    }

    @Test
    void infoAndFailedOpsAreHandled() {
        assertValid(check(
                write(0, K, 5, 0, 10).failed(),   // never applied
                read(1, K, 9L, 0, 10).info(),     // unknown result: no constraint
                cas(2, K, 1, 2, false, 0, 0).info(),
                read(0, K, null, 20, 30)));
    }

    @Test
    void infoCasAppliesOnlyWhenExpectedMatches() {
        assertValid(check(
                write(0, K, 1, 0, 10),
                cas(1, K, 1, 2, false, 20, 0).info(),
                read(0, K, 2L, 30, 40)));
        assertInvalid(check(
                write(0, K, 1, 0, 10),
                cas(1, K, 3, 2, false, 20, 0).info(),
                read(0, K, 2L, 30, 40)), K);
    }

    @Test
    void casSemanticsAreAccepted() {
        assertValid(check(
                write(0, K, 1, 0, 10),
                cas(1, K, 1, 2, true, 20, 30),
                cas(0, K, 1, 3, false, 40, 50),
                read(1, K, 2L, 60, 70),
                cas(0, K, 2, 4, true, 80, 90),
                read(1, K, 4L, 100, 110)));
    }

    @Test
    void casThatSucceededOnWrongValueIsRejected() {
        assertInvalid(check(
                write(0, K, 1, 0, 10),
                cas(1, K, 5, 2, true, 20, 30)), K);
    }

    @Test
    void casThatFailedOnMatchingValueIsRejected() {
        assertInvalid(check(
                write(0, K, 1, 0, 10),
                cas(1, K, 1, 2, false, 20, 30)), K);
    }

    @Test
    void keysAreCheckedIndependently() {
        CheckResult r = check(
                write(0, "good", 1, 0, 10),
                write(1, "bad", 1, 0, 10),
                read(0, "good", 1L, 20, 30),
                write(1, "bad", 2, 20, 30),
                read(0, "bad", 1L, 40, 50),
                write(0, "good", 3, 40, 50),
                read(1, "good", 3L, 60, 70));
        assertInvalid(r, "bad");
        assertFalse(r.anomalies().get(0).contains("good"), r::summary);
    }

    @Test
    void generatedHistoryIsCheckedQuickly() {
        for (long seed = 1; seed <= 3; seed++) {
            List<RegisterOp> history = RegisterHistoryGenerator.generate(seed, K, 2_000, 5, 0.10, 5);
            long start = System.nanoTime();
            CheckResult r = checker.check(history);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("linearizability of %d ops (seed %d) checked in %d ms%n", history.size(), seed, millis);
            assertValid(r);
            assertTrue(millis < 5_000, "took " + millis + " ms");
        }
    }

    @Test
    void generatedHistoryWithImpossibleReadIsRejected() {
        List<RegisterOp> history = new ArrayList<>(RegisterHistoryGenerator.generate(7, K, 2_000, 5, 0.10, 5));
        int i = indexOfOkRead(history, history.size() / 2);
        RegisterOp victim = history.get(i);
        history.set(i, read(victim.process(), K, 99L, victim.invokeNanos(), victim.completeNanos()));
        CheckResult r = checker.check(history);
        assertInvalid(r, K);
        assertTrue(r.anomalies().get(0).contains("READ -> 99"), r::summary);
    }

    @Test
    void generatedHistoryWithStaleReadIsRejected() {
        // Many distinct values, so INFO writes cannot plausibly explain the stale value.
        List<RegisterOp> history = new ArrayList<>(RegisterHistoryGenerator.generate(8, K, 2_000, 5, 0.10, 1_000_000));
        int i = indexOfOkRead(history, history.size() * 3 / 4);
        RegisterOp victim = history.get(i);
        RegisterOp old = history.stream()
                .filter(o -> o.kind() == RegisterOp.Kind.WRITE && o.status() == Status.OK)
                .filter(o -> o.completeNanos() < victim.invokeNanos() - 100_000)
                .reduce((a, b) -> b).orElseThrow();
        history.set(i, read(victim.process(), K, old.value(), victim.invokeNanos(), victim.completeNanos()));
        long start = System.nanoTime();
        CheckResult r = checker.check(history);
        System.out.printf("stale read in %d ops rejected in %d ms%n", history.size(), (System.nanoTime() - start) / 1_000_000);
        assertInvalid(r, K);
        assertTrue(r.anomalies().get(0).contains("longest linearizable prefix"), r::summary);
    }

    private static int indexOfOkRead(List<RegisterOp> history, int from) {
        int i = from;
        while (history.get(i).kind() != RegisterOp.Kind.READ || history.get(i).status() != Status.OK) {
            i++;
        }
        return i;
    }

    @Test
    void exhaustedBudgetLeavesTheKeyUnverifiedNotValid() {
        List<RegisterOp> history = RegisterHistoryGenerator.generate(11, K, 500, 5, 0.10, 5);
        CheckResult r = new LinearizabilityChecker(Duration.ofSeconds(20), 50, 1_000).check(history);
        assertTrue(r.anomalies().isEmpty(), r::summary);
        assertEquals(1, r.unverified(), r::summary);
        assertNotNull(r.note());
        assertTrue(r.note().contains("budget exhausted for key " + K), r.note());
        assertTrue(r.summary().contains("1 UNVERIFIED"), r.summary());
    }
}
