package io.redisraft.jepsen.checker;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configurations already explored by {@link RegisterSearch}, keyed by the set of linearized OK
 * ops and the register state. Per key it keeps an antichain of (INFO usage, guard): having
 * used fewer INFO ops, or having a looser guard, can only offer more continuations, so a new
 * configuration covered by an explored one is redundant.
 */
final class SearchMemo {

    static final int[] NO_USAGE = new int[0];

    private final Map<OkKey, Object> map = new HashMap<>(1 << 12); // a Seen, or a Seen[] antichain
    private final OkKey probe = new OkKey();
    private long entries;

    long size() {
        return entries;
    }

    /**
     * Records a configuration unless an explored one covers it.
     *
     * @param usage sparse INFO usage, sorted (group, count) pairs
     * @return false if the configuration is redundant
     */
    boolean add(long[] okBits, Long state, int[] usage, boolean guarded, Long guardPrev) {
        OkKey key = probe.probe(okBits, state);
        Seen fresh = usage.length == 0 && !guarded ? Seen.PLAIN : new Seen(usage, guarded, guardPrev);
        Object old = map.get(key);
        if (old == null) {
            map.put(key.frozen(), fresh);
            entries++;
            return true;
        }
        Seen[] seen = old instanceof Seen one ? new Seen[] {one} : (Seen[]) old;
        for (Seen s : seen) {
            if (s.covers(fresh)) {
                return false;
            }
        }
        // Entries the new one covers can never prune anything it would not.
        Seen[] kept = new Seen[seen.length + 1];
        int n = 0;
        for (Seen s : seen) {
            if (!fresh.covers(s)) {
                kept[n++] = s;
            }
        }
        kept[n++] = fresh;
        entries += n - seen.length;
        map.replace(key, n == 1 ? fresh : Arrays.copyOf(kept, n)); // keeps the stored key
        return true;
    }

    /** Whether sparse usage {@code a} is at most {@code b} in every group. */
    static boolean leq(int[] a, int[] b) {
        int j = 0;
        for (int i = 0; i < a.length; i += 2) {
            while (j < b.length && b[j] < a[i]) {
                j += 2;
            }
            if (j >= b.length || b[j] != a[i] || b[j + 1] < a[i + 1]) {
                return false;
            }
        }
        return true;
    }

    /** An explored INFO usage and guard (the state before the INFO op just placed). */
    private record Seen(int[] usage, boolean guarded, Long guardPrev) {
        static final Seen PLAIN = new Seen(NO_USAGE, false, null);

        boolean covers(Seen o) {
            return leq(usage, o.usage) && (!guarded || (o.guarded && Objects.equals(guardPrev, o.guardPrev)));
        }
    }

    /**
     * Linearized OK ops (leading all-ones and trailing zero words dropped) and register state.
     * One mutable instance probes the map over the live bits without copying; only stored keys
     * are copies ({@link #frozen()}), and those never change.
     */
    private static final class OkKey {
        private long[] words;
        private int off;   // index in words of the first kept word
        private int base;  // logical index of that word
        private int len;
        private Long state;
        private int hash;

        OkKey probe(long[] bits, Long s) {
            int b = 0;
            while (b < bits.length && bits[b] == -1L) {
                b++;
            }
            int end = bits.length;
            while (end > b && bits[end - 1] == 0) {
                end--;
            }
            words = bits;
            off = b;
            base = b;
            len = end - b;
            state = s;
            int h = base;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + Long.hashCode(words[i]);
            }
            hash = 31 * h + Objects.hashCode(s);
            return this;
        }

        OkKey frozen() {
            OkKey k = new OkKey();
            k.words = Arrays.copyOfRange(words, off, off + len);
            k.off = 0;
            k.base = base;
            k.len = len;
            k.state = state;
            k.hash = hash;
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OkKey k && hash == k.hash && base == k.base && len == k.len
                    && Objects.equals(state, k.state)
                    && Arrays.equals(words, off, off + len, k.words, k.off, k.off + len);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
