package io.redisraft.info;

import java.io.File;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.metrics.impl.DefaultTimekeeperImpl;
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

    public static long logFileSize(RaftServer.Division d) {
        File[] files = d.getRaftStorage().getStorageDir().getCurrentDir().listFiles(
                (dir, name) -> name.startsWith("log_"));
        long total = 0;
        if (files != null) for (File f : files) total += f.length();
        return total;
    }

    public long cacheBytes() {
        return 0;
    }

    public long cacheEntries() {
        return 0;
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
        Optional<RaftServer.Division> d = division.get();
        if (d.isEmpty()) return Optional.empty();
        String member = d.get().getMemberId().toString();
        for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
            var info = r.getMetricRegistryInfo();
            if (component.equals(info.getMetricsComponentName()) && member.equals(info.getPrefix())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
