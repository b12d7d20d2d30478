package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.CheckResult;
import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that a history of register operations is linearizable. Keys are independent registers
 * starting at nil, so each key is checked on its own (P-compositionality); see
 * {@link RegisterSearch} for the search itself.
 *
 * <p>FAIL ops are ignored. OK ops must take effect between invocation and completion. INFO ops
 * may take effect once at any time after their invocation, or never.
 *
 * <p>The search is exponential in the worst case, so the work per key is bounded by a time
 * budget (shared by both searches of a key), a step cap and a cap on memoized configurations
 * (each per search). A key whose budget runs out is neither valid nor an anomaly: it is
 * counted in {@link CheckResult#unverified()} (and named in the note), which fails a run.
 */
public final class LinearizabilityChecker {

    public static final String NAME = "linearizable-register";
    /**
     * The step cap decides (the same history always gets the same verdict, however busy the
     * machine); the time budget is only a backstop far beyond what the steps take.
     */
    public static final Duration DEFAULT_TIME_BUDGET_PER_KEY = Duration.ofSeconds(120);
    public static final long DEFAULT_MAX_STEPS_PER_KEY = 20_000_000;
    /**
     * A memoized configuration takes up to ~200 bytes of heap, so by default the memo of one
     * search may use about a third of the maximum heap (between 0.5 and 10 million entries).
     */
    public static final long DEFAULT_MAX_MEMO_ENTRIES_PER_KEY =
            Math.max(500_000, Math.min(10_000_000, Runtime.getRuntime().maxMemory() / 3 / 200));

    private final Duration timeBudgetPerKey;
    private final long maxStepsPerKey;
    private final long maxMemoEntriesPerKey;

    public LinearizabilityChecker() {
        this(DEFAULT_TIME_BUDGET_PER_KEY);
    }

    public LinearizabilityChecker(Duration timeBudgetPerKey) {
        this(timeBudgetPerKey, DEFAULT_MAX_STEPS_PER_KEY, DEFAULT_MAX_MEMO_ENTRIES_PER_KEY);
    }

    public LinearizabilityChecker(Duration timeBudgetPerKey, long maxStepsPerKey, long maxMemoEntriesPerKey) {
        if (timeBudgetPerKey.isNegative() || maxStepsPerKey <= 0 || maxMemoEntriesPerKey <= 0) {
            throw new IllegalArgumentException("budgets must be positive");
        }
        this.timeBudgetPerKey = timeBudgetPerKey;
        this.maxStepsPerKey = maxStepsPerKey;
        this.maxMemoEntriesPerKey = maxMemoEntriesPerKey;
    }

    public CheckResult check(List<RegisterOp> history) {
        Map<String, List<RegisterOp>> byKey = new TreeMap<>();
        for (RegisterOp op : history) {
            if (op.status() != Status.FAIL) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        List<String> anomalies = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, List<RegisterOp>> e : byKey.entrySet()) {
            RegisterSearch.Outcome out = checkKey(e.getKey(), e.getValue());
            switch (out.verdict()) {
                case LINEARIZABLE -> { }
                case NOT_LINEARIZABLE -> anomalies.add(out.detail());
                case BUDGET_EXHAUSTED -> notes.add(out.detail());
            }
        }
        return CheckResult.of(NAME, anomalies, notes.isEmpty() ? null : String.join("; ", notes), notes.size());
    }

    /**
     * First a scan for reads no interleaving explains. Then the cheap relaxation (INFO ops
     * reusable): if even that fails, the key is certainly not linearizable, and if its witness
     * uses no INFO op twice, it certainly is. Otherwise the exact search decides, within what
     * is left of the budget.
     */
    private RegisterSearch.Outcome checkKey(String key, List<RegisterOp> ops) {
        String impossible = ImpossibleReads.find(key, ops);
        if (impossible != null) {
            return new RegisterSearch.Outcome(RegisterSearch.Verdict.NOT_LINEARIZABLE, impossible, 0, false);
        }
        long deadline = System.nanoTime() + saturatedNanos(timeBudgetPerKey);
        RegisterSearch.Outcome relaxed = new RegisterSearch(key, ops, true, deadline, maxStepsPerKey,
                maxMemoEntriesPerKey).run();
        if (relaxed.verdict() != RegisterSearch.Verdict.LINEARIZABLE || relaxed.exact()) {
            return relaxed; // a rejection, or a witness that happens to use each INFO op once
        }
        return new RegisterSearch(key, ops, false, deadline, maxStepsPerKey, maxMemoEntriesPerKey).run();
    }

    /** Capped so that adding it to System.nanoTime() and comparing stays overflow-safe. */
    private static long saturatedNanos(Duration d) {
        long cap = Long.MAX_VALUE / 4; // effectively unbounded (about 73 years)
        return d.compareTo(Duration.ofNanos(cap)) >= 0 ? cap : d.toNanos();
    }
}
