package io.redisraft.jepsen.history;

import java.util.ArrayList;
import java.util.List;

/** An atomic MULTI/EXEC transaction of appends and reads. */
public record Txn(int process, List<MicroOp> ops, Status status, long invokeNanos, long completeNanos) {

    public Txn {
        ops = List.copyOf(ops);
    }

    /** Transaction that completed OK; reads carry their results. */
    public static Txn ok(int process, long invoke, long complete, MicroOp... ops) {
        return new Txn(process, List.of(ops), Status.OK, invoke, complete);
    }

    /** Same transaction with an unknown outcome: reads become unknown, never completes. */
    public Txn info() {
        return new Txn(process, withoutReadResults(), Status.INFO, invokeNanos, RegisterOp.NEVER);
    }

    /** Same transaction, known not to have been applied; reads become unknown. */
    public Txn failed() {
        return new Txn(process, withoutReadResults(), Status.FAIL, invokeNanos, completeNanos);
    }

    private List<MicroOp> withoutReadResults() {
        List<MicroOp> out = new ArrayList<>(ops.size());
        for (MicroOp op : ops) {
            out.add(op instanceof MicroOp.Read r ? MicroOp.unknownRead(r.key()) : op);
        }
        return out;
    }

    @Override
    public String toString() {
        String end = completeNanos == RegisterOp.NEVER ? "inf" : Long.toString(completeNanos);
        String body = ops.toString();
        if (body.length() > 200) {
            body = body.substring(0, 197) + "...";
        }
        return "txn(p" + process + " " + status + " t=" + invokeNanos + ".." + end + " " + body + ")";
    }
}
