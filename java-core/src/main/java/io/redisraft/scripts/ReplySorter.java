package io.redisraft.scripts;

import io.redisraft.resp.Resp;
import io.redisraft.resp.RespWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Makes order-dependent replies deterministic. Commands flagged
 * nondeterministic_output_order (SMEMBERS, HGETALL, HKEYS, KEYS, SINTER, ...) answer in
 * the order of each process's hash tables, which differs between nodes; a replicated
 * script that iterates such a reply would write different data on each node. Inside
 * log entries their replies are sorted: elements by their bytes, and HGETALL's
 * field/value pairs by field. Pure logic.
 */
public final class ReplySorter {
    private static final Comparator<byte[]> BYTES = Arrays::compareUnsigned;

    private ReplySorter() {}

    public static Resp sort(String command, Resp reply) {
        if (!(reply instanceof Resp.Array array) || array.items() == null) return reply;
        List<Resp> items = array.items();
        if (command.equals("hgetall")) return Resp.array(sortPairs(items));
        List<Resp> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(ReplySorter::key, BYTES));
        return Resp.array(sorted);
    }

    private static List<Resp> sortPairs(List<Resp> items) {
        List<Resp[]> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < items.size(); i += 2) pairs.add(new Resp[] {items.get(i), items.get(i + 1)});
        pairs.sort(Comparator.comparing((Resp[] p) -> key(p[0]), BYTES));
        List<Resp> out = new ArrayList<>(items.size());
        for (Resp[] p : pairs) {
            out.add(p[0]);
            out.add(p[1]);
        }
        return out;
    }

    /** What an element sorts by: its bytes for strings, its encoding otherwise. */
    private static byte[] key(Resp item) {
        return item instanceof Resp.Bulk b && b.bytes() != null ? b.bytes() : RespWriter.encode(item);
    }
}
