package io.redisraft.info;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * INFO raft section "jvm": what the embedded JVM holds, so that an operator can split
 * the process's RSS into Redis's own memory (INFO memory) and the JVM's. All in bytes,
 * except thread and collection counts and collection time (ms), and the class-data archive.
 */
final class JvmMemory {
    private JvmMemory() {}

    /** The class-data archive the JVM maps, fixed at boot. */
    private static final String CLASS_ARCHIVE = classArchive();

    /**
     * Which class-data archive the JVM maps: the module's (scripts/cds-archive.sh), by its
     * path; "jdk" when only the JDK's own; "none" when it shares no classes (HotSpot turns
     * sharing off altogether when it refuses an archive, and java.vm.info then lacks "sharing").
     */
    private static String classArchive() {
        if (!System.getProperty("java.vm.info", "").contains("sharing")) return "none";
        try {
            String file = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("SharedArchiveFile").getValue();
            return file.isEmpty() ? "jdk" : file;
        } catch (RuntimeException | LinkageError e) { // a runtime without jdk.management
            return "jdk";
        }
    }

    static void write(InfoSink sink) {
        sink.section("jvm");
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        sink.field("jvm_heap_used", heap.getUsed());
        sink.field("jvm_heap_committed", heap.getCommitted());
        sink.field("jvm_heap_max", heap.getMax());
        long metaspace = 0;
        long code = 0;
        long nonHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.NON_HEAP) continue;
            long committed = pool.getUsage().getCommitted();
            nonHeap += committed;
            if (pool.getName().equals("Metaspace")) metaspace = committed;
            if (pool.getName().startsWith("CodeHeap") || pool.getName().equals("Code Cache")) code += committed;
        }
        sink.field("jvm_nonheap_committed", nonHeap);
        sink.field("jvm_metaspace_committed", metaspace);
        sink.field("jvm_code_cache_committed", code);
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) direct = pool.getMemoryUsed();
        }
        sink.field("jvm_direct_buffers", direct);
        sink.field("jvm_threads", ManagementFactory.getThreadMXBean().getThreadCount());
        long collections = 0;
        long collectionMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
            collectionMs += Math.max(0, gc.getCollectionTime());
        }
        sink.field("jvm_gc_count", collections);
        sink.field("jvm_gc_time_ms", collectionMs);
        sink.field("jvm_class_archive", CLASS_ARCHIVE);
    }
}
