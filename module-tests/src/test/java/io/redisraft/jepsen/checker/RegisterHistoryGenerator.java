package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.RegisterOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Builds linearizable register histories for tests: every op gets a hidden linearization point
 * inside its interval, results are computed by applying ops in that order. An INFO op takes
 * effect (at its point) or not at random, and its process is then replaced by a fresh one,
 * as a Jepsen client would do after an indeterminate result.
 */
final class RegisterHistoryGenerator {

    private record Planned(RegisterOp.Kind kind, int process, long value, long expected,
                           boolean info, boolean applied, long invoke, long point, long complete) { }

    private RegisterHistoryGenerator() { }

    static List<RegisterOp> generate(long seed, String key, int ops, int concurrency, double infoRate,
                                     int distinctValues) {
        Random rnd = new Random(seed);
        List<Planned> plan = new ArrayList<>();
        long[] clock = new long[concurrency];
        int[] process = new int[concurrency];
        for (int c = 0; c < concurrency; c++) {
            process[c] = c;
            clock[c] = rnd.nextInt(1_000);
        }
        for (int i = 0; i < ops; i++) {
            int c = rnd.nextInt(concurrency);
            long invoke = clock[c] + 1 + rnd.nextInt(500);
            long duration = 1 + rnd.nextInt(5_000);
            long complete = invoke + duration;
            long point = invoke + (long) (rnd.nextDouble() * duration);
            RegisterOp.Kind kind = RegisterOp.Kind.values()[rnd.nextInt(3)];
            boolean info = rnd.nextDouble() < infoRate;
            // Unknown outcomes: applied or not; if applied, possibly long after the client gave up.
            boolean applied = !info || rnd.nextBoolean();
            if (info && applied && rnd.nextInt(4) == 0) {
                point = complete + rnd.nextInt(50_000);
            }
            plan.add(new Planned(kind, process[c], rnd.nextInt(distinctValues), rnd.nextInt(distinctValues),
                    info, applied, invoke, point, complete));
            clock[c] = complete;
            if (info) {
                process[c] += concurrency;
            }
        }
        List<Planned> byPoint = new ArrayList<>(plan);
        byPoint.sort(Comparator.comparingLong(Planned::point));
        List<RegisterOp> history = new ArrayList<>();
        Long state = null;
        for (Planned p : byPoint) {
            if (!p.applied()) {
                history.add(toOp(key, p, null, false).info());
                continue;
            }
            RegisterOp op = toOp(key, p, state, state != null && state == p.expected());
            if (p.kind() == RegisterOp.Kind.WRITE || (p.kind() == RegisterOp.Kind.CAS && Boolean.TRUE.equals(op.result()))) {
                state = p.value();
            }
            history.add(p.info() ? op.info() : op);
        }
        history.sort(Comparator.comparingLong(RegisterOp::invokeNanos));
        return history;
    }

    private static RegisterOp toOp(String key, Planned p, Long current, boolean swapped) {
        return switch (p.kind()) {
            case READ -> RegisterOp.read(p.process(), key, current, p.invoke(), p.complete());
            case WRITE -> RegisterOp.write(p.process(), key, p.value(), p.invoke(), p.complete());
            case CAS -> RegisterOp.cas(p.process(), key, p.expected(), p.value(), swapped, p.invoke(), p.complete());
        };
    }
}
