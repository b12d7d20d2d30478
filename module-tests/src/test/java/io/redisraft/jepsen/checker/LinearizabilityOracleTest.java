package io.redisraft.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cross-checks the search against brute force (every subset of INFO ops, every order) on tiny histories. */
class LinearizabilityOracleTest {

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    @Test
    void agreesWithBruteForceOnRandomHistories() {
        Random rnd = new Random(42);
        int valid = 0;
        for (int i = 0; i < 4_000; i++) {
            List<RegisterOp> h = i % 2 == 0 ? randomHistory(rnd) : mutated(rnd, i);
            boolean expected = bruteForce(h);
            CheckResult r = checker.check(h);
            assertNull(r.note());
            assertEquals(expected, r.valid(), () -> "history " + h + "\n" + r.summary());
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 500 && valid < 3_500, "too one-sided a sample: " + valid + " valid");
    }

    /** Arbitrary ops with small times (many ties) and small values. */
    private static List<RegisterOp> randomHistory(Random rnd) {
        List<RegisterOp> h = new ArrayList<>();
        int n = 2 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            long inv = rnd.nextInt(10);
            long done = inv + rnd.nextInt(6);
            long v = rnd.nextInt(3);
            long e = rnd.nextInt(3);
            RegisterOp op = switch (rnd.nextInt(3)) {
                case 0 -> RegisterOp.read(i, "k", rnd.nextInt(4) == 0 ? null : Long.valueOf(rnd.nextInt(3)), inv, done);
                case 1 -> RegisterOp.write(i, "k", v, inv, done);
                default -> RegisterOp.cas(i, "k", e, v, rnd.nextBoolean(), inv, done);
            };
            int s = rnd.nextInt(10);
            h.add(s < 2 ? op.info() : s < 3 ? op.failed() : op);
        }
        return h;
    }

    /** A valid generated history with one OK op's result possibly changed. */
    private static List<RegisterOp> mutated(Random rnd, long seed) {
        List<RegisterOp> h = new ArrayList<>(RegisterHistoryGenerator.generate(seed, "k", 3 + rnd.nextInt(5),
                2 + rnd.nextInt(2), 0.3, 3));
        int i = rnd.nextInt(h.size());
        RegisterOp op = h.get(i);
        if (op.status() == Status.OK && rnd.nextBoolean()) {
            Object result = op.kind() == RegisterOp.Kind.CAS ? (Object) rnd.nextBoolean()
                    : op.kind() == RegisterOp.Kind.READ ? Long.valueOf(rnd.nextInt(3)) : null;
            h.set(i, new RegisterOp(op.process(), op.key(), op.kind(), op.value(), op.expected(), result,
                    op.status(), op.invokeNanos(), op.completeNanos()));
        }
        return h;
    }

    static boolean bruteForce(List<RegisterOp> history) {
        List<RegisterOp> must = new ArrayList<>();
        List<RegisterOp> may = new ArrayList<>();
        for (RegisterOp op : history) {
            if (op.status() == Status.OK) {
                must.add(op);
            } else if (op.status() == Status.INFO && op.kind() != RegisterOp.Kind.READ) {
                may.add(op);
            }
        }
        for (int mask = 0; mask < (1 << may.size()); mask++) {
            List<RegisterOp> chosen = new ArrayList<>(must);
            for (int b = 0; b < may.size(); b++) {
                if ((mask & (1 << b)) != 0) {
                    chosen.add(may.get(b));
                }
            }
            if (someOrderWorks(chosen, new ArrayList<>(), new boolean[chosen.size()], null)) {
                return true;
            }
        }
        return false;
    }

    private static boolean someOrderWorks(List<RegisterOp> ops, List<RegisterOp> order, boolean[] used, Long state) {
        if (order.size() == ops.size()) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i] || !mayGoNext(ops, used, i)) {
                continue;
            }
            RegisterOp op = ops.get(i);
            boolean ok = op.status() == Status.INFO;
            Long next = state;
            switch (op.kind()) {
                case READ -> ok = Objects.equals(op.result(), state);
                case WRITE -> {
                    ok = true;
                    next = op.value();
                }
                case CAS -> {
                    boolean matches = Objects.equals(op.expected(), state);
                    if (op.status() == Status.OK) {
                        ok = matches == (Boolean) op.result();
                    }
                    next = matches ? op.value() : state;
                }
            }
            if (!ok) {
                continue;
            }
            used[i] = true;
            order.add(op);
            boolean found = someOrderWorks(ops, order, used, next);
            order.remove(order.size() - 1);
            used[i] = false;
            if (found) {
                return true;
            }
        }
        return false;
    }

    /** Op i may be next unless an op not yet placed completed strictly before i was invoked. */
    private static boolean mayGoNext(List<RegisterOp> ops, boolean[] used, int i) {
        for (int j = 0; j < ops.size(); j++) {
            RegisterOp o = ops.get(j);
            if (j != i && !used[j] && o.status() == Status.OK && o.completeNanos() < ops.get(i).invokeNanos()) {
                return false;
            }
        }
        return true;
    }
}
