package io.redisraft.jepsen.history;

/**
 * One operation on a single-value register stored under {@code key}.
 *
 * <ul>
 *   <li>READ: {@code result} is the value read (Long, or null for nil).</li>
 *   <li>WRITE: sets {@code value}.</li>
 *   <li>CAS: if current == {@code expected} then set {@code value}; {@code result} is a Boolean
 *       (false still observes a current value different from {@code expected}).</li>
 * </ul>
 * INFO ops have {@code completeNanos == Long.MAX_VALUE} and a null result (checkers treat any
 * INFO op as never completing and ignore its result, whatever these fields hold).
 */
public record RegisterOp(int process, String key, Kind kind, Long value, Long expected,
                         Object result, Status status, long invokeNanos, long completeNanos) {

    public enum Kind { READ, WRITE, CAS }

    /** Completion time used for ops whose outcome is unknown. */
    public static final long NEVER = Long.MAX_VALUE;

    public RegisterOp {
        if (kind == null || status == null || key == null) {
            throw new IllegalArgumentException("kind, status and key are required");
        }
        if (kind != Kind.READ && value == null) {
            throw new IllegalArgumentException(kind + " needs a value");
        }
        if (kind == Kind.CAS && status == Status.OK && !(result instanceof Boolean)) {
            throw new IllegalArgumentException("an OK CAS needs a Boolean result");
        }
    }

    /** OK read that returned {@code result} (null = nil). */
    public static RegisterOp read(int process, String key, Long result, long invoke, long complete) {
        return new RegisterOp(process, key, Kind.READ, null, null, result, Status.OK, invoke, complete);
    }

    /** OK write of {@code value}. */
    public static RegisterOp write(int process, String key, long value, long invoke, long complete) {
        return new RegisterOp(process, key, Kind.WRITE, value, null, null, Status.OK, invoke, complete);
    }

    /** OK compare-and-set {@code expected -> value} that reported {@code swapped}. */
    public static RegisterOp cas(int process, String key, long expected, long value, boolean swapped,
                                 long invoke, long complete) {
        return new RegisterOp(process, key, Kind.CAS, value, expected, swapped, Status.OK, invoke, complete);
    }

    /** Same op with an unknown outcome: it never completes and has no result. */
    public RegisterOp info() {
        return new RegisterOp(process, key, kind, value, expected, null, Status.INFO, invokeNanos, NEVER);
    }

    /** Same op, known not to have been applied. */
    public RegisterOp failed() {
        return new RegisterOp(process, key, kind, value, expected, null, Status.FAIL, invokeNanos, completeNanos);
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "READ" + (status == Status.OK ? " -> " + nil(result) : "");
            case WRITE -> "WRITE " + value;
            case CAS -> "CAS " + nil(expected) + "->" + value
                    + (status == Status.OK ? " = " + result : "");
        };
        String end = completeNanos == NEVER ? "inf" : Long.toString(completeNanos);
        return "p" + process + " " + what + " (" + status + ", t=" + invokeNanos + ".." + end + ")";
    }

    private static String nil(Object v) {
        return v == null ? "nil" : v.toString();
    }
}
