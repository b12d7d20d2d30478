package io.redisraft.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SnapshotManagerTest {
    @Test
    void theLogIsCompactedBeforeItsEntriesCouldFillAQuarterOfTheHeap() {
        long heap = 128L << 20;
        long entries = SnapshotManager.maxLogEntries(heap);
        assertTrue(entries * SnapshotManager.HEAP_BYTES_PER_ENTRY <= heap / 4, entries + " entries");
        assertEquals(55_924, entries); // the default -Xmx128m
        assertEquals(10_000, SnapshotManager.maxLogEntries(16L << 20), "a floor for tiny heaps");
    }
}
