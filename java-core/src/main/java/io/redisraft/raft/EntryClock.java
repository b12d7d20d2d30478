package io.redisraft.raft;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The time written into each log entry: the leader's clock, but never earlier than an
 * entry already in the log, so time only moves forward along the log even when a new
 * leader's clock is behind the old one's. Any thread.
 */
final class EntryClock {
    private final AtomicLong latest = new AtomicLong();

    /** The time now along the log, without taking it for an entry (what a read on the leader uses). */
    long now() {
        return Math.max(System.currentTimeMillis(), latest.get());
    }

    /** The time for a new entry. */
    long next() {
        long now = System.currentTimeMillis();
        return latest.accumulateAndGet(now, Math::max);
    }

    /** An entry with this time is in the log (applied here). */
    void observe(long entryTime) {
        latest.accumulateAndGet(entryTime, Math::max);
    }
}
