package io.redisraft.sharding;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** A SCAN of this node's current database, from a cursor, through the module's own calls. Main thread. */
public final class SlotScan {
    public static final int COUNT = 1000;

    private final Function<byte[][], Resp> redis;

    public SlotScan(Function<byte[][], Resp> redis) {
        this.redis = redis;
    }

    /** One SCAN step from {@code cursor}: each key found goes to {@code each}; returns the next cursor ("0": done). */
    public String step(String cursor, int count, Consumer<byte[]> each) {
        Resp reply = redis.apply(new byte[][] {bytes("SCAN"), bytes(cursor), bytes("COUNT"), bytes(Integer.toString(count))});
        List<Resp> parts = reply.asList();
        if (parts.size() != 2) throw new IllegalStateException("SCAN answered " + reply);
        for (Resp k : parts.get(1).asList()) {
            if (k instanceof Resp.Bulk b && b.bytes() != null) each.accept(b.bytes());
        }
        return parts.get(0).asText();
    }

    /** A whole scan. */
    public void forEachKey(Consumer<byte[]> each) {
        String cursor = "0";
        do {
            cursor = step(cursor, COUNT, each);
        } while (!cursor.equals("0"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
