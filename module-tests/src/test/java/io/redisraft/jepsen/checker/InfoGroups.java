package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.RegisterOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The INFO writes/CASes of one key for {@link RegisterSearch}. Ops with identical effect form
 * a group and are interchangeable, so the search only ever places a group's next unused member
 * (its earliest invoked): the used members are always a prefix and usage is a count per group.
 * In the relaxed mode ({@code reusable}) ops may take effect repeatedly: the first member is
 * placed every time and the counts only serve to prefer groups not yet exhausted.
 */
final class InfoGroups {

    private final RegisterOp[] ops;
    private final int[] rank;        // event rank of each op's invocation
    private final boolean reusable;
    private final int[][] members;   // op indices per group, by invocation
    private final int[] used;        // placements per group on the current search path
    private int[] usageCache;

    // Values produced by INFO ops get small ids, to find the groups that could produce a wanted value.
    private final Map<Long, Integer> valueIds = new HashMap<>();
    private final int[][] groupsByValue;
    private final int[] groupExpected; // value id a CAS group needs first (-1: none/unproducible)
    private final int[] valueStamp;
    private final int[] groupStamp;
    private final int[] work;
    private int epoch;

    /** {@code ops} sorted by invocation; {@code rank[i]} orders op i among all events. */
    InfoGroups(RegisterOp[] ops, int[] rank, boolean reusable) {
        this.ops = ops;
        this.rank = rank;
        this.reusable = reusable;
        Map<List<Object>, List<Integer>> byEffect = new LinkedHashMap<>();
        for (int j = 0; j < ops.length; j++) {
            RegisterOp op = ops[j];
            byEffect.computeIfAbsent(Arrays.asList(op.kind(), op.expected(), op.value()), x -> new ArrayList<>()).add(j);
        }
        members = byEffect.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
        used = new int[members.length];
        List<List<Integer>> byValue = new ArrayList<>();
        for (int g = 0; g < members.length; g++) {
            int id = valueIds.computeIfAbsent(first(g).value(), v -> valueIds.size());
            if (id == byValue.size()) {
                byValue.add(new ArrayList<>());
            }
            byValue.get(id).add(g);
        }
        groupsByValue = byValue.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
        groupExpected = new int[members.length];
        for (int g = 0; g < members.length; g++) {
            groupExpected[g] = first(g).kind() == RegisterOp.Kind.CAS ? valueId(first(g).expected()) : -1;
        }
        valueStamp = new int[groupsByValue.length];
        groupStamp = new int[members.length];
        work = new int[groupsByValue.length];
    }

    int groupCount() {
        return members.length;
    }

    RegisterOp first(int g) {
        return ops[members[g][0]];
    }

    /** Index of the op placed next for group g. */
    int next(int g) {
        return reusable ? members[g][0] : members[g][used[g]];
    }

    RegisterOp op(int j) {
        return ops[j];
    }

    /** Id of a value some INFO op produces, or -1. */
    int valueId(Long v) {
        Integer id = v == null ? null : valueIds.get(v);
        return id == null ? -1 : id;
    }

    void use(int g) {
        used[g]++;
        usageCache = null;
    }

    void unuse(int g) {
        used[g]--;
        usageCache = null;
    }

    /** Whether group g has an unused member invoked before the event ranked {@code limit}. */
    boolean fresh(int g, int limit) {
        return used[g] < members[g].length && rank[members[g][used[g]]] < limit;
    }

    private boolean eligible(int g, int limit) {
        return reusable ? rank[members[g][0]] < limit : fresh(g, limit);
    }

    /** Current usage as sorted (group, count) pairs of the non-zero groups (none if reusable). */
    int[] usage() {
        if (reusable) {
            return SearchMemo.NO_USAGE;
        }
        if (usageCache == null) {
            int n = 0;
            for (int c : used) {
                n += c > 0 ? 1 : 0;
            }
            int[] u = new int[2 * n];
            int k = 0;
            for (int g = 0; g < used.length; g++) {
                if (used[g] > 0) {
                    u[k++] = g;
                    u[k++] = used[g];
                }
            }
            usageCache = u;
        }
        return usageCache;
    }

    /**
     * Groups worth placing before the event ranked {@code limit}: those producing a wanted value,
     * or (INFO CAS chains) a value some such CAS group expects. With {@code anyValue} every
     * eligible group qualifies. The result is sorted, so it is the same when recomputed for
     * the same search node; the relaxed mode lists not yet exhausted groups first.
     */
    int[] candidates(int[] wanted, int wantedCount, boolean anyValue, int stateId, int limit) {
        int[] out = new int[members.length];
        int n = 0;
        if (anyValue) {
            for (int g = 0; g < members.length; g++) {
                if (eligible(g, limit)) {
                    out[n++] = g;
                }
            }
        } else {
            epoch++;
            int top = 0;
            for (int i = 0; i < wantedCount; i++) {
                top = push(wanted[i], stateId, top);
            }
            while (top > 0) {
                for (int g : groupsByValue[work[--top]]) {
                    if (groupStamp[g] != epoch && eligible(g, limit)) {
                        groupStamp[g] = epoch;
                        out[n++] = g;
                        top = push(groupExpected[g], stateId, top);
                    }
                }
            }
            Arrays.sort(out, 0, n);
        }
        if (reusable) {
            int[] ordered = new int[n];
            int k = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < n; i++) {
                    if (fresh(out[i], limit) == (pass == 0)) {
                        ordered[k++] = out[i];
                    }
                }
            }
            return ordered;
        }
        return Arrays.copyOf(out, n);
    }

    private int push(int valueId, int stateId, int top) {
        if (valueId >= 0 && valueId != stateId && valueStamp[valueId] != epoch) {
            valueStamp[valueId] = epoch;
            work[top++] = valueId;
        }
        return top;
    }

    /** INFO ops invoked before {@code limit}, and how many of them the current path has not used. */
    int[] invokedAndUnused(int limit) {
        int invoked = 0;
        int unused = 0;
        for (int g = 0; g < members.length; g++) {
            for (int m = 0; m < members[g].length; m++) {
                if (rank[members[g][m]] < limit) {
                    invoked++;
                    unused += m >= used[g] ? 1 : 0;
                }
            }
        }
        return new int[] {invoked, unused};
    }

    /**
     * Whether the placements made on a path (groups, with the limit at each, in path order)
     * can be given distinct members each invoked in time. Limits only grow along a path, so
     * handing out members in invocation order is optimal.
     */
    boolean distinctMembersSuffice(int[] placedGroups, int[] limits, int count) {
        int[] next = new int[members.length];
        for (int i = 0; i < count; i++) {
            int g = placedGroups[i];
            if (next[g] >= members[g].length || rank[members[g][next[g]]] >= limits[i]) {
                return false;
            }
            next[g]++;
        }
        return true;
    }
}
