package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import io.redisraft.resp.Resp;
import io.redisraft.util.Threads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns client writes into Raft log entries. A write is submitted at once when fewer
 * than {@code maxInFlight} entries are on their way; otherwise it waits, and every
 * write that arrived meanwhile goes into the next entry together (bounded by count
 * and bytes). When an entry completes, the next one waits about 0.5-1 ms (Object.wait
 * rounds up to whole milliseconds unless a write arrives) until as many writes are
 * queued as the previous entry carried: its clients, just answered, are about to send
 * their next command. A lone client's previous entry carried one write, and after an
 * idle spell the count starts afresh, so a lone write never waits. Each client gets
 * its own reply when the entry is applied.
 */
final class WriteBatcher {
    private record Item(long sequence, byte[] unit) {}

    private final RaftRequests requests;
    private final PendingReplies pending;
    private final int maxInFlight;
    private final long maxEntryBytes;
    private final int maxUnits;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private final Thread submitter;
    private int inFlight;
    private int lastBatch;
    /** How long to wait for the clients of the previous entry to send their next command. */
    private static final long GATHER_NANOS = 500_000;
    /** Idle longer than this (no entry in flight, no write queued): start counting afresh. */
    private static final long IDLE_NANOS = 5_000_000;
    private boolean closed;

    WriteBatcher(RaftRequests requests, PendingReplies pending, int maxInFlight, long maxEntryBytes, int maxUnits) {
        this.requests = requests;
        this.pending = pending;
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

    /** Main thread: queues a unit whose client is registered under {@code sequence}. */
    synchronized void submit(long sequence, byte[] unit) {
        if (closed) {
            pending.fail(sequence, RaftFailures.NO_LEADER);
            return;
        }
        queue.add(new Item(sequence, unit));
        notifyAll();
    }

    synchronized int queued() {
        return queue.size();
    }

    void close() {
        List<Item> dropped;
        synchronized (this) {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            notifyAll();
        }
        for (Item i : dropped) pending.fail(i.sequence(), RaftFailures.NO_LEADER);
    }

    private synchronized List<Item> nextBatch() throws InterruptedException {
        long idleSince = -1;
        while (!closed && (queue.isEmpty() || inFlight >= maxInFlight)) {
            if (idleSince < 0 && inFlight == 0 && queue.isEmpty()) idleSince = System.nanoTime();
            wait();
        }
        // Nothing on its way and nothing sent for a while: the writers went idle.
        if (idleSince >= 0 && System.nanoTime() - idleSince > IDLE_NANOS) lastBatch = 0;
        long gatherUntil = System.nanoTime() + GATHER_NANOS;
        while (!closed && queue.size() < lastBatch && System.nanoTime() < gatherUntil) {
            wait(0, 50_000);
        }
        if (closed) return null;
        List<Item> batch = new ArrayList<>();
        long bytes = LogEntry.HEADER_SIZE;
        while (!queue.isEmpty() && batch.size() < maxUnits) {
            Item next = queue.peek();
            if (!batch.isEmpty() && bytes + next.unit().length > maxEntryBytes) break;
            bytes += next.unit().length;
            batch.add(queue.poll());
        }
        inFlight++;
        lastBatch = batch.size();
        return batch;
    }

    private synchronized void entryDone() {
        inFlight--;
        notifyAll();
    }

    private void run() {
        try {
            List<Item> batch;
            while ((batch = nextBatch()) != null) {
                List<byte[]> units = new ArrayList<>(batch.size());
                for (Item i : batch) units.add(i.unit());
                byte[] payload = LogEntry.encode(pending.origin(), batch.get(0).sequence(), units);
                List<Item> sent = batch;
                requests.write(payload).whenComplete((reply, error) -> {
                    entryDone();
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
        }
    }
}
