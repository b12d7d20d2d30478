package io.redisraft.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A RESP2 value: what the module replies to clients it answers itself, what it
 * reads back from Redis (rr_call) and what the node-to-node client speaks.
 */
public sealed interface Resp {

    record Simple(String text) implements Resp {}

    record Error(String message) implements Resp {
        /** The error code, e.g. "MOVED" in "MOVED 0 127.0.0.1:5001". */
        public String code() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }
    }

    record Int(long value) implements Resp {}

    /** A bulk string; {@code bytes == null} is the null bulk string. */
    record Bulk(byte[] bytes) implements Resp {
        public String text() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        /** Bulk strings are equal when their bytes are. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes == null ? "Bulk[null]" : "Bulk[" + text() + "]";
        }
    }

    /** An array; {@code items == null} is the null array. */
    record Array(List<Resp> items) implements Resp {}

    /** A RESP3 map, as keys and values in turn: only ever sent to a caller that speaks RESP3. */
    record Map(List<Resp> keysAndValues) implements Resp {}

    Resp OK = new Simple("OK");
    Resp NULL = new Bulk(null);
    Resp NULL_ARRAY = new Array(null);

    static Resp simple(String text) {
        return new Simple(text);
    }

    static Resp error(String message) {
        return new Error(message);
    }

    static Resp integer(long value) {
        return new Int(value);
    }

    static Resp bulk(String text) {
        return new Bulk(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    static Resp array(List<Resp> items) {
        return new Array(items);
    }

    static Resp array(Resp... items) {
        return new Array(List.of(items));
    }

    default boolean isError() {
        return this instanceof Error;
    }

    /** The text of a simple or bulk string, the message of an error, the number of an integer. */
    default String asText() {
        if (this instanceof Simple s) return s.text();
        if (this instanceof Bulk b) return b.text();
        if (this instanceof Error e) return e.message();
        if (this instanceof Int i) return Long.toString(i.value());
        return null;
    }

    default List<Resp> asList() {
        return this instanceof Array a && a.items() != null ? a.items() : List.of();
    }
}
