package io.redisraft.info;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.thirdparty.com.codahale.metrics.Gauge;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.metrics.impl.DefaultTimekeeperImpl;
import org.apache.ratis.metrics.impl.RatisMetricRegistryImpl;
import org.apache.ratis.server.RaftServer;

/** Figures about the Raft log taken from Ratis's storage and metrics, for INFO raft. */
public final class LogStatistics {
    private final Supplier<Optional<RaftServer.Division>> division;

    public LogStatistics(Supplier<Optional<RaftServer.Division>> division) {
        this.division = division;
    }

    /** Bytes of log segment files on disk. */
    public long fileSize() {
        return division.get().map(LogStatistics::logFileSize).orElse(0L);
    }

    /**
     * The log's size on disk: its closed segment files, and what was written to the open one
     * (Ratis preallocates that file, whose length says nothing of the entries in it).
     */
    public static long logFileSize(RaftServer.Division d) {
        File[] closed = d.getRaftStorage().getStorageDir().getCurrentDir().listFiles(
                (dir, name) -> name.startsWith("log_") && !name.startsWith("log_inprogress_"));
        long total = gauge(d, "openSegmentSizeInBytes");
        if (closed != null) for (File f : closed) total += f.length();
        return total;
    }

    /** Bytes of log entries Ratis holds in memory (its segment cache: the open segment and recent closed ones). */
    public long cacheBytes() {
        return gauge("closedSegmentsSizeInBytes") + gauge("openSegmentSizeInBytes");
    }

    /**
     * Entries in Ratis's segment cache: those of the open segment and of the newest closed
     * segments it keeps (it evicts the oldest first), counted from the segment files' names.
     * (Ratis's LogSegmentPath parses them too, but hides the indexes and may delete files.)
     */
    public long cacheEntries() {
        Optional<RaftServer.Division> d = division.get();
        if (d.isEmpty()) return 0;
        File[] files = d.get().getRaftStorage().getStorageDir().getCurrentDir().listFiles(
                (dir, name) -> name.startsWith("log_"));
        if (files == null) return 0;
        long last = Math.max(0, d.get().getRaftLog().getLastEntryTermIndex() == null ? 0
                : d.get().getRaftLog().getLastEntryTermIndex().getIndex());
        List<long[]> closed = new ArrayList<>();
        long entries = 0;
        for (File f : files) {
            Matcher open = OPEN_SEGMENT.matcher(f.getName());
            Matcher done = CLOSED_SEGMENT.matcher(f.getName());
            if (open.matches()) entries += Math.max(0, last - Long.parseLong(open.group(1)) + 1);
            else if (done.matches()) closed.add(new long[] {Long.parseLong(done.group(1)), Long.parseLong(done.group(2))});
        }
        closed.sort((a, b) -> Long.compare(b[0], a[0]));
        long cachedClosed = gauge("closedSegmentsNum");
        for (int i = 0; i < closed.size() && i < cachedClosed; i++) entries += closed.get(i)[1] - closed.get(i)[0] + 1;
        return entries;
    }

    private static final Pattern OPEN_SEGMENT = Pattern.compile("log_inprogress_(\\d+)");
    private static final Pattern CLOSED_SEGMENT = Pattern.compile("log_(\\d+)-(\\d+)");

    /** A number-valued gauge of Ratis's log metrics ("log_worker"), or 0. */
    private long gauge(String name) {
        return division.get().map(d -> gauge(d, name)).orElse(0L);
    }

    private static long gauge(RaftServer.Division d, String name) {
        return registry(d, "log_worker").map(r -> r instanceof RatisMetricRegistryImpl impl ? impl.get(name) : null)
                .map(m -> m instanceof Gauge<?> g && g.getValue() instanceof Number n ? n.longValue() : 0L)
                .orElse(0L);
    }

    public long fsyncCount() {
        return syncTimer().map(t -> t.getTimer().getCount()).orElse(0L);
    }

    public long fsyncMaxMicros() {
        return syncTimer().map(t -> TimeUnit.NANOSECONDS.toMicros(t.getTimer().getSnapshot().getMax())).orElse(0L);
    }

    public long fsyncAvgMicros() {
        return syncTimer().map(t -> TimeUnit.NANOSECONDS.toMicros((long) t.getTimer().getSnapshot().getMean()))
                .orElse(0L);
    }

    /** AppendEntries requests this node handled as a follower. */
    public long appendRequestsReceived() {
        return registry("server").map(r -> timer(r, "follower_append_entry_latency"))
                .map(t -> t.getTimer().getCount()).orElse(0L);
    }

    public long appendRequestsWithEntries() {
        return appendRequestsReceived();
    }

    public long snapshotRequestsReceived() {
        return registry("server").map(r -> r.counter("numInstallSnapshot").getCount()).orElse(0L);
    }

    private Optional<DefaultTimekeeperImpl> syncTimer() {
        return registry("log_worker").map(r -> timer(r, "syncTime"));
    }

    private static DefaultTimekeeperImpl timer(RatisMetricRegistry registry, String name) {
        Timekeeper t = registry.timer(name);
        return t instanceof DefaultTimekeeperImpl d ? d : null;
    }

    private Optional<RatisMetricRegistry> registry(String component) {
        return division.get().flatMap(d -> registry(d, component));
    }

    private static Optional<RatisMetricRegistry> registry(RaftServer.Division d, String component) {
        String member = d.getMemberId().toString();
        for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
            var info = r.getMetricRegistryInfo();
            if (component.equals(info.getMetricsComponentName()) && member.equals(info.getPrefix())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
