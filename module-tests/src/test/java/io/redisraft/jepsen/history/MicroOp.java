package io.redisraft.jepsen.history;

import java.util.Arrays;
import java.util.List;

/** One step of a list-append transaction. */
public sealed interface MicroOp {

    String key();

    /** RPUSH of a globally unique value. */
    record Append(String key, long value) implements MicroOp {
        @Override
        public String toString() {
            return "append(" + key + "," + value + ")";
        }
    }

    /** LRANGE key 0 -1; {@code values} is null when the transaction did not complete OK. */
    record Read(String key, List<Long> values) implements MicroOp {
        public Read {
            values = values == null ? null : List.copyOf(values);
        }

        @Override
        public String toString() {
            return "read(" + key + ")=" + (values == null ? "?" : values);
        }
    }

    static Append append(String key, long value) {
        return new Append(key, value);
    }

    static Read read(String key, Long... values) {
        return new Read(key, Arrays.asList(values));
    }

    /** A read whose result is unknown. */
    static Read unknownRead(String key) {
        return new Read(key, null);
    }
}
