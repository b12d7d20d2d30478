package io.redisraft.jepsen.history;

/** INCRBY {@code amount} on a counter. */
public record IncrOp(int process, long amount, Status status, long invokeNanos, long completeNanos) {

    public static IncrOp ok(int process, long amount, long invoke, long complete) {
        return new IncrOp(process, amount, Status.OK, invoke, complete);
    }

    public IncrOp info() {
        return new IncrOp(process, amount, Status.INFO, invokeNanos, RegisterOp.NEVER);
    }

    public IncrOp failed() {
        return new IncrOp(process, amount, Status.FAIL, invokeNanos, completeNanos);
    }
}
