package io.redisraft.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Commands that reach a newly elected leader before it is ready (Ratis counts a leader
 * ready once an entry of its own term is applied) wait for it instead of failing: each
 * waiter learns {@code true} when the leader is ready, or {@code false} when this node
 * lost the leadership or the wait passed its deadline. Main thread only, except
 * {@link #hasWaiters}.
 */
final class LeaderReadiness {
    private record Waiter(long deadlineNanos, Consumer<Boolean> then) {}

    private List<Waiter> waiters = new ArrayList<>();
    /** waiters.size(), readable from any thread (housekeeping posts expire() only when needed). */
    private volatile int count;

    void await(long patienceNanos, Consumer<Boolean> then) {
        waiters.add(new Waiter(System.nanoTime() + patienceNanos, then));
        count = waiters.size();
    }

    /** Any thread. */
    boolean hasWaiters() {
        return count > 0;
    }

    void ready() {
        answerAll(true);
    }

    void lost() {
        answerAll(false);
    }

    /** Answers the waiters whose deadline passed. */
    void expire() {
        long now = System.nanoTime();
        List<Waiter> keep = new ArrayList<>();
        List<Waiter> late = new ArrayList<>();
        for (Waiter w : waiters) (now - w.deadlineNanos() >= 0 ? late : keep).add(w);
        waiters = keep;
        count = keep.size();
        for (Waiter w : late) w.then().accept(false);
    }

    private void answerAll(boolean ready) {
        List<Waiter> all = waiters;
        waiters = new ArrayList<>();
        count = 0;
        for (Waiter w : all) w.then().accept(ready);
    }
}
