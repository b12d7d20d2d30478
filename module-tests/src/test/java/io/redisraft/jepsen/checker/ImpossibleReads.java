package io.redisraft.jepsen.checker;

import io.redisraft.jepsen.history.RegisterOp;
import io.redisraft.jepsen.history.Status;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cheap pre-check before the linearizability search: finds an OK op that observed a value no
 * interleaving can explain. It makes the common blatant anomalies fast to report and easy to
 * read, whatever the size of the history.
 */
final class ImpossibleReads {

    private ImpossibleReads() { }

    /** Description of the earliest-invoked such op, or null if there is none. */
    static String find(String key, List<RegisterOp> ops) {
        Map<Long, RegisterOp> firstProducer = new HashMap<>(); // earliest-invoked op that may set a value
        RegisterOp firstCompletedWrite = null;                // earliest-completed op that surely set one
        for (RegisterOp op : ops) {
            boolean surely = op.status() == Status.OK
                    && (op.kind() == RegisterOp.Kind.WRITE || (op.kind() == RegisterOp.Kind.CAS && Boolean.TRUE.equals(op.result())));
            boolean maybe = surely || (op.status() == Status.INFO && op.kind() != RegisterOp.Kind.READ);
            if (maybe) {
                firstProducer.merge(op.value(), op, (a, b) -> a.invokeNanos() <= b.invokeNanos() ? a : b);
            }
            if (surely && (firstCompletedWrite == null || op.completeNanos() < firstCompletedWrite.completeNanos())) {
                firstCompletedWrite = op;
            }
        }
        RegisterOp earliest = null;
        String why = null;
        for (RegisterOp op : ops.stream().sorted(Comparator.comparingLong(RegisterOp::invokeNanos)).toList()) {
            if (op.status() != Status.OK || !observes(op)) {
                continue;
            }
            Long seen = op.kind() == RegisterOp.Kind.READ ? RegisterSearch.asLong(op.result()) : op.expected();
            if (seen == null) {
                // No op resets the register, so nil is impossible once a write has completed.
                if (firstCompletedWrite != null && firstCompletedWrite.completeNanos() < op.invokeNanos()) {
                    earliest = op;
                    why = "observed nil although " + firstCompletedWrite + " had already completed (nothing"
                            + " resets the register to nil)";
                    break;
                }
            } else {
                RegisterOp producer = firstProducer.get(seen);
                if (producer == null || producer.invokeNanos() > op.completeNanos()) {
                    earliest = op;
                    why = "observed value " + seen + ", which no write or CAS invoked before it completed could"
                            + " have produced" + (producer == null ? "" : " (the first candidate is " + producer + ")");
                    break;
                }
            }
        }
        return earliest == null ? null : "key " + key + " is not linearizable: " + earliest + " " + why;
    }

    /** Reads and successful CASes reveal the current value; a failed CAS only excludes one. */
    private static boolean observes(RegisterOp op) {
        return op.kind() == RegisterOp.Kind.READ || (op.kind() == RegisterOp.Kind.CAS && Boolean.TRUE.equals(op.result()));
    }
}
