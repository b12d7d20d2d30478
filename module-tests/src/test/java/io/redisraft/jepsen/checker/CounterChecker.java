package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.IncrOp;
import java.util.List;

/**
 * Checks a counter driven by INCRBY: the final value must lie between the sum of the OK
 * increments and that sum plus every INFO increment (which may or may not have applied).
 * FAIL increments never applied.
 */
public final class CounterChecker {

    public static final String NAME = "counter";

    public CheckResult check(List<IncrOp> history, long finalValue) {
        long okSum = 0;
        long lower = 0;
        long upper = 0;
        int okCount = 0;
        int infoCount = 0;
        for (IncrOp op : history) {
            switch (op.status()) {
                case OK -> {
                    okSum = Math.addExact(okSum, op.amount());
                    okCount++;
                }
                case INFO -> {
                    // Amounts are expected positive; a negative one would lower the bound instead.
                    if (op.amount() >= 0) {
                        upper = Math.addExact(upper, op.amount());
                    } else {
                        lower = Math.addExact(lower, op.amount());
                    }
                    infoCount++;
                }
                case FAIL -> { }
            }
        }
        long min = okSum + lower;
        long max = okSum + upper;
        if (finalValue >= min && finalValue <= max) {
            return CheckResult.ok(NAME);
        }
        String kind = finalValue < min ? "lost increments" : "phantom increments";
        return CheckResult.invalid(NAME, List.of(kind + ": final value " + finalValue
                + " outside [" + min + ", " + max + "] (sum of " + okCount + " OK increments = "
                + okSum + ", " + infoCount + " INFO increments)"));
    }
}
