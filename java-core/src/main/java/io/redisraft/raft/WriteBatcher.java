package io.redisraft.raft;

import io.redisraft.health.FatalErrors;
import io.redisraft.logging.RedisLog;
import io.redisraft.logging.Trace;
import io.redisraft.resp.Resp;
import io.redisraft.util.Threads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns client writes into Raft log entries. A write is submitted at once when fewer
 * than {@code maxInFlight} entries are on their way; otherwise it waits, and every
 * write that arrived meanwhile goes into the next entry together (bounded by count
 * and bytes). When an entry completes, its clients have just been answered and are
 * about to send their next command: the next entry waits for them, at most
 * {@link #GATHER_NANOS}. A client that sent nothing is not waited for again, so a lone
 * client never waits, nor does the first write after an idle spell. Each client gets
 * its own reply when the entry is applied.
 */
final class WriteBatcher {
    private record Item(long sequence, long client, byte[] unit) {}

    /** How long the next entry waits for the clients of the previous one. */
    private static final long GATHER_NANOS = 500_000;
    /** Idle longer than this (no entry in flight, no write queued): nobody is awaited. */
    private static final long IDLE_NANOS = 5_000_000;

    private final RaftRequests requests;
    private final PendingReplies pending;
    private final EntryClock clock;
    private final int maxInFlight;
    private final long maxEntryBytes;
    private final int maxUnits;
    private final Thread submitter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** Clients of the last entry that have not sent their next write yet. */
    private Set<Long> awaited = new HashSet<>();
    private int inFlight;
    private boolean closed;

    WriteBatcher(RaftRequests requests, PendingReplies pending, EntryClock clock, int maxInFlight, long maxEntryBytes,
                 int maxUnits) {
        this.requests = requests;
        this.pending = pending;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.maxEntryBytes = maxEntryBytes;
        this.maxUnits = maxUnits;
        this.submitter = Threads.daemon(this::run, "raft-write-batcher");
        this.submitter.start();
    }

    /** Largest unit that fits in an entry. */
    long maxUnitBytes() {
        return maxEntryBytes - LogEntry.HEADER_SIZE;
    }

    /** Main thread: queues a unit of {@code client}, whose reply is registered under {@code sequence}. */
    void submit(long sequence, long client, byte[] unit) {
        lock.lock();
        try {
            if (!closed) {
                queue.add(new Item(sequence, client, unit));
                boolean lastAwaited = awaited.remove(client) && awaited.isEmpty();
                // Wake the batcher only when it has something to do: a first write to send, or
                // the last client it gathers for has sent its write (not on every write: that
                // cost a thread switch per command). While entries are on their way it sleeps.
                if (inFlight < maxInFlight && (queue.size() == 1 || lastAwaited)) changed.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        pending.fail(sequence, RaftFailures.NO_LEADER);
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        List<Item> dropped;
        lock.lock();
        try {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Item i : dropped) pending.fail(i.sequence(), RaftFailures.NO_LEADER);
    }

    private List<Item> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            long idleSince = -1;
            while (!closed && (queue.isEmpty() || inFlight >= maxInFlight)) {
                if (idleSince < 0 && inFlight == 0 && queue.isEmpty()) idleSince = System.nanoTime();
                changed.await();
            }
            if (idleSince >= 0 && System.nanoTime() - idleSince > IDLE_NANOS) awaited.clear();
            long left = GATHER_NANOS;
            while (!closed && !awaited.isEmpty() && left > 0) left = changed.awaitNanos(left);
            if (closed) return null;
            List<Item> batch = new ArrayList<>();
            Set<Long> clients = new HashSet<>();
            long bytes = LogEntry.HEADER_SIZE;
            while (!queue.isEmpty() && batch.size() < maxUnits) {
                Item next = queue.peek();
                if (!batch.isEmpty() && bytes + next.unit().length > maxEntryBytes) break;
                bytes += next.unit().length;
                batch.add(queue.poll());
                clients.add(next.client());
            }
            inFlight++;
            awaited = clients;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void entryDone() {
        lock.lock();
        try {
            inFlight--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            List<Item> batch;
            while ((batch = nextBatch()) != null) {
                List<byte[]> units = new ArrayList<>(batch.size());
                for (Item i : batch) units.add(i.unit());
                byte[] payload = LogEntry.encode(pending.origin(), batch.get(0).sequence(), clock.next(), units);
                List<Item> sent = batch;
                Trace.GENERIC.log(() -> "entry submitted: " + sent.size() + " units, " + payload.length + " bytes");
                requests.write(payload).whenComplete((reply, error) -> {
                    entryDone();
                    Trace.GENERIC.log(() -> "entry of " + sent.size() + " units " + (error == null && reply != null
                            && reply.isSuccess() ? "applied at index " + reply.getLogIndex() : "failed"));
                    Throwable failure = RaftFailures.failure(reply, error);
                    if (failure != null) {
                        RedisLog.verbose("write not committed: " + failure);
                        Resp answer = RaftFailures.forWrite(failure);
                        for (Item i : sent) pending.fail(i.sequence(), answer);
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            RedisLog.warning("write batcher stopped: " + RedisLog.describe(t));
            FatalErrors.report(t, "the write batcher");
        }
    }
}
