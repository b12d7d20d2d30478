package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Linearizability search for the register of one key (Wing-Gong / Lowe, as in Porcupine).
 *
 * <p>Completed (OK) ops become call and return entries of a time-ordered doubly linked list.
 * A depth-first search repeatedly linearizes a pending call whose outcome is possible in the
 * current state, lifting its entries out of the list; reaching the return of an op that is not
 * yet linearized means the branch failed, so the search backtracks. Explored configurations
 * (linearized ops, state) are memoized ({@link SearchMemo}) so each is explored once.
 *
 * <p>INFO ops never return, so they stay out of the list and are handled specially:
 * <ul>
 *   <li>INFO reads have no effect and no known result: dropped.</li>
 *   <li>An INFO write/CAS may take effect at most once, at any point after its invocation.
 *       Never having to precede anything, it can always be moved later, so it is only placed
 *       immediately before an op that needs its effect, i.e. one that would <em>not</em> be
 *       valid in the state before it (a write after it, or an op valid in both states, could
 *       be swapped ahead of it or makes it pointless). No-op placements are skipped.</li>
 *   <li>Likewise an op right after a run of INFO ops that was already valid before the run
 *       can move ahead of the run, so a run must end in a state some pending op needs and the
 *       state before the run does not satisfy. Interchangeable INFO ops are grouped
 *       ({@link InfoGroups}); only groups leading to such a state (directly or through INFO
 *       CASes) are tried, and only after all OK candidates failed.</li>
 *   <li>Having used fewer INFO ops can only help: the memo prunes a configuration when one with
 *       the same OK ops and state but no more INFO usage was explored.</li>
 * </ul>
 * Success needs all OK ops linearized; unused INFO ops simply never took effect.
 *
 * <p>With {@code reuseInfo} the search solves a relaxation where INFO ops may take effect any
 * number of times: no usage to track, so the search space is far smaller. A history rejected by
 * the relaxation is certainly not linearizable, and a witness that happens to use no INFO op
 * twice ({@link Outcome#exact()}) proves it is.
 */
final class RegisterSearch {

    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXHAUSTED }

    /**
     * @param exact for LINEARIZABLE: whether the witness found uses each INFO op at most once
     *              (always true for the exact search)
     */
    record Outcome(Verdict verdict, String detail, long steps, boolean exact) { }

    /** One entry of the event list; only OK ops have entries. */
    private static final class Entry {
        final int op;
        final boolean isReturn;
        Entry prev;
        Entry next;
        Entry match; // call -> its return

        Entry(int op, boolean isReturn) {
            this.op = op;
            this.isReturn = isReturn;
        }
    }

    /**
     * Undo record of one step: an OK call entry, or an INFO placement from group {@code group}
     * made while scanning {@code candidates} at {@code position} (where the scan resumes).
     */
    private record Frame(Entry entry, int group, int infoOp, int[] candidates, int position, Entry firstReturn,
                         Long state, boolean guarded, Long guardPrev) { }

    private static final int MAX_REPORTED_STATES = 10;

    private final String key;
    private final boolean reuseInfo;
    private final RegisterOp[] ok;
    private final int[] returnRank;    // position of each OK return among all events
    private final int[] okWants;       // value id (see InfoGroups) an OK read/CAS may need, or -1
    private final InfoGroups infos;
    private final Entry head = new Entry(-1, false);

    private final long deadline;
    private final long maxSteps;
    private final long maxMemo;

    // search state
    private final long[] okBits;
    private final SearchMemo memo = new SearchMemo();
    private final List<Frame> stack = new ArrayList<>();
    private Long state = null; // register starts as nil
    private boolean guarded;   // last step was an INFO op: next op must need its effect
    private Long guardPrev;    // state before that INFO op
    private int okDone;
    private long steps;
    private final int[] wanted;

    // diagnostics of the deepest failure
    private int bestDepth = -1;
    private String bestContext;
    private final Set<String> bestStates = new LinkedHashSet<>();

    /** {@code deadline} is in {@link System#nanoTime()} terms. */
    RegisterSearch(String key, List<RegisterOp> ops, boolean reuseInfo, long deadline, long maxSteps, long maxMemo) {
        this.key = key;
        this.reuseInfo = reuseInfo;
        this.deadline = deadline;
        this.maxSteps = maxSteps;
        this.maxMemo = maxMemo;
        List<RegisterOp> oks = new ArrayList<>();
        List<RegisterOp> infoOps = new ArrayList<>();
        for (RegisterOp op : ops) {
            if (op.status() == Status.OK) {
                oks.add(op);
            } else if (op.status() == Status.INFO && op.kind() != RegisterOp.Kind.READ
                    && !(op.kind() == RegisterOp.Kind.CAS && Objects.equals(op.expected(), op.value()))) {
                infoOps.add(op); // INFO reads and identity CASes can never matter
            }
        }
        oks.sort(Comparator.comparingLong(RegisterOp::invokeNanos));
        infoOps.sort(Comparator.comparingLong(RegisterOp::invokeNanos));
        ok = oks.toArray(new RegisterOp[0]);
        RegisterOp[] info = infoOps.toArray(new RegisterOp[0]);
        returnRank = new int[ok.length];
        okBits = new long[(ok.length + 63) / 64];
        int[] infoRank = buildEventList(info);
        infos = new InfoGroups(info, infoRank, reuseInfo);
        okWants = new int[ok.length];
        for (int i = 0; i < ok.length; i++) {
            RegisterOp op = ok[i];
            okWants[i] = op.kind() == RegisterOp.Kind.READ ? infos.valueId(asLong(op.result()))
                    : op.kind() == RegisterOp.Kind.CAS ? infos.valueId(op.expected()) : -1;
        }
        wanted = new int[ok.length];
    }

    /**
     * Links the OK calls/returns in time order (calls first on ties, so ops that merely touch
     * count as concurrent) and returns the ranks of the INFO invocations in that order.
     */
    private int[] buildEventList(RegisterOp[] info) {
        int n = ok.length;
        int total = 2 * n + info.length;
        long[][] ev = new long[total][]; // {time, 0=call/1=return, op (INFO ops offset by n)}
        int k = 0;
        for (int i = 0; i < n; i++) {
            ev[k++] = new long[] {ok[i].invokeNanos(), 0, i};
            ev[k++] = new long[] {ok[i].completeNanos(), 1, i};
        }
        for (int j = 0; j < info.length; j++) {
            ev[k++] = new long[] {info[j].invokeNanos(), 0, n + j};
        }
        Arrays.sort(ev, Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
        int[] infoRank = new int[info.length];
        Entry[] calls = new Entry[n];
        Entry tail = head;
        for (int r = 0; r < total; r++) {
            int op = (int) ev[r][2];
            if (op >= n) {
                infoRank[op - n] = r;
                continue;
            }
            Entry e = new Entry(op, ev[r][1] == 1);
            if (e.isReturn) {
                calls[op].match = e;
                returnRank[op] = r;
            } else {
                calls[op] = e;
            }
            e.prev = tail;
            tail.next = e;
            tail = e;
        }
        return infoRank;
    }

    Outcome run() {
        Entry cursor = head.next;
        Entry firstReturn = null; // set while trying INFO candidates
        int[] candidates = null;
        int position = 0;
        while (true) {
            if (okDone == ok.length) {
                return new Outcome(Verdict.LINEARIZABLE, null, steps, !reuseInfo || witnessIsExact());
            }
            if (++steps > maxSteps || memo.size() > maxMemo
                    || ((steps & 1023) == 0 && System.nanoTime() - deadline > 0)) {
                return new Outcome(Verdict.BUDGET_EXHAUSTED, "search budget exhausted for key " + key
                        + " in the " + (reuseInfo ? "relaxed" : "exact") + " search after " + steps + " steps ("
                        + memo.size() + " memoized configurations, " + ok.length + " OK ops); linearizability"
                        + " of this key is unknown", steps, false);
            }
            if (candidates == null) {
                // Phase 1: OK calls before the first pending return.
                if (!cursor.isReturn) {
                    cursor = tryOk(cursor) ? head.next : cursor.next;
                    continue;
                }
                firstReturn = cursor;
                candidates = infoCandidates(firstReturn);
                position = 0;
                continue;
            }
            // Phase 2: INFO groups that could enable a pending op.
            if (position < candidates.length) {
                if (tryInfo(candidates, position, firstReturn)) {
                    candidates = null;
                    cursor = head.next;
                } else {
                    position++;
                }
                continue;
            }
            // Every candidate of this node failed: backtrack.
            noteFailure(firstReturn);
            if (stack.isEmpty()) {
                return new Outcome(Verdict.NOT_LINEARIZABLE, describeFailure(), steps, false);
            }
            Frame f = stack.remove(stack.size() - 1);
            state = f.state();
            guarded = f.guarded();
            guardPrev = f.guardPrev();
            if (f.entry() != null) {
                clear(okBits, f.entry().op);
                okDone--;
                unlift(f.entry());
                candidates = null;
                cursor = f.entry().next;
            } else {
                infos.unuse(f.group());
                firstReturn = f.firstReturn();
                candidates = f.candidates();
                position = f.position() + 1;
            }
        }
    }

    private boolean tryOk(Entry call) {
        RegisterOp op = ok[call.op];
        if (!valid(op, state) || (guarded && valid(op, guardPrev))) {
            return false;
        }
        Long next = apply(op, state);
        set(okBits, call.op);
        if (!memo.add(okBits, next, infos.usage(), false, null)) {
            clear(okBits, call.op);
            return false;
        }
        stack.add(new Frame(call, -1, -1, null, 0, null, state, guarded, guardPrev));
        lift(call);
        okDone++;
        state = next;
        guarded = false;
        guardPrev = null;
        return true;
    }

    /**
     * An INFO op placed now must be directly followed by a pending op valid in the new state
     * but not in the current one; collect the values such ops need.
     */
    private int[] infoCandidates(Entry firstReturn) {
        int n = 0;
        boolean any = false;
        for (Entry e = head.next; e != firstReturn; e = e.next) {
            RegisterOp op = ok[e.op];
            if (e.isReturn || op.kind() == RegisterOp.Kind.WRITE) {
                continue;
            }
            if (op.kind() == RegisterOp.Kind.READ) {
                if (!Objects.equals(asLong(op.result()), state)) {
                    wanted[n++] = okWants[e.op];
                }
            } else if (Boolean.TRUE.equals(op.result()) != Objects.equals(op.expected(), state)) {
                if (Boolean.TRUE.equals(op.result())) {
                    wanted[n++] = okWants[e.op];
                } else {
                    any = true; // a failed CAS on the current value needs any other value
                }
            }
        }
        return infos.candidates(wanted, n, any, infos.valueId(state), returnRank[firstReturn.op]);
    }

    private boolean tryInfo(int[] candidates, int position, Entry firstReturn) {
        int g = candidates[position];
        int j = infos.next(g);
        RegisterOp op = infos.op(j);
        if (op.kind() == RegisterOp.Kind.WRITE) {
            // A write right after another INFO op would make that op pointless; same value is a no-op.
            if (guarded || Objects.equals(op.value(), state)) {
                return false;
            }
        } else if (!Objects.equals(op.expected(), state)) {
            return false; // a CAS that does not swap changes nothing
        }
        infos.use(g);
        if (!memo.add(okBits, op.value(), infos.usage(), true, state)) {
            infos.unuse(g);
            return false;
        }
        stack.add(new Frame(null, g, j, candidates, position, firstReturn, state, guarded, guardPrev));
        guardPrev = state;
        guarded = true;
        state = op.value();
        return true;
    }

    /** Relaxed search: whether the INFO placements on the stack could all use distinct ops. */
    private boolean witnessIsExact() {
        int[] groups = new int[stack.size()];
        int[] limits = new int[stack.size()];
        int n = 0;
        for (Frame f : stack) {
            if (f.entry() == null) {
                groups[n] = f.group();
                limits[n++] = returnRank[f.firstReturn().op];
            }
        }
        return infos.distinctMembersSuffice(groups, limits, n);
    }

    /** Whether an OK op's observed outcome is possible in register state {@code s}. */
    private static boolean valid(RegisterOp op, Long s) {
        return switch (op.kind()) {
            case READ -> Objects.equals(asLong(op.result()), s);
            case WRITE -> true;
            case CAS -> Boolean.TRUE.equals(op.result()) == Objects.equals(op.expected(), s);
        };
    }

    private static Long apply(RegisterOp op, Long s) {
        return switch (op.kind()) {
            case READ -> s;
            case WRITE -> op.value();
            case CAS -> Boolean.TRUE.equals(op.result()) ? op.value() : s;
        };
    }

    static Long asLong(Object o) {
        return o instanceof Number n ? Long.valueOf(n.longValue()) : null;
    }

    // Dancing-links removal/reinsertion of a call and its return.
    private static void lift(Entry call) {
        call.prev.next = call.next;
        call.next.prev = call.prev; // a call is always followed by at least its return
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }

    private static void clear(long[] bits, int i) {
        bits[i >>> 6] &= ~(1L << i);
    }

    /** Remembers the deepest point reached, to explain a failure. */
    private void noteFailure(Entry firstReturn) {
        if (okDone < bestDepth) {
            return;
        }
        if (okDone > bestDepth) {
            bestDepth = okDone;
            bestStates.clear();
            bestContext = context(firstReturn);
        }
        if (bestStates.size() < MAX_REPORTED_STATES) {
            bestStates.add(state == null ? "nil" : state.toString());
        }
    }

    private String context(Entry firstReturn) {
        StringBuilder sb = new StringBuilder();
        sb.append("cannot linearize ").append(ok[firstReturn.op]);
        List<String> recent = new ArrayList<>();
        for (int i = stack.size() - 1; i >= 0 && recent.size() < 5; i--) {
            Frame f = stack.get(i);
            recent.add(0, (f.entry() != null ? ok[f.entry().op] : infos.op(f.infoOp())).toString());
        }
        sb.append("; last ops of that prefix: ").append(recent.isEmpty() ? "(none)" : recent);
        List<String> pending = new ArrayList<>();
        int more = 0;
        for (Entry e = head.next; e != firstReturn; e = e.next) {
            if (!e.isReturn && e.op != firstReturn.op) {
                if (pending.size() < 8) {
                    pending.add(ok[e.op].toString());
                } else {
                    more++;
                }
            }
        }
        sb.append("; other OK ops concurrent with it: ").append(pending.isEmpty() ? "(none)" : pending);
        if (more > 0) {
            sb.append(" and ").append(more).append(" more");
        }
        int[] counts = infos.invokedAndUnused(returnRank[firstReturn.op]);
        if (counts[0] > 0) {
            sb.append("; ").append(counts[0]).append(" INFO writes/CASes invoked by then (").append(counts[1])
                    .append(" not applied on that path)");
        }
        return sb.toString();
    }

    private String describeFailure() {
        String relaxation = reuseInfo && infos.groupCount() > 0 ? " (even if INFO ops could take effect repeatedly)" : "";
        return "key " + key + " is not linearizable" + relaxation + ": the longest linearizable prefix has "
                + bestDepth + " of " + ok.length + " OK ops; then " + bestContext
                + "; possible register values at that point: " + bestStates;
    }
}
