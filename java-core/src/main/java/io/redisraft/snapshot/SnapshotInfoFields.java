package io.redisraft.snapshot;

import io.redisraft.info.InfoSink;
import io.redisraft.info.RaftInfo;
import java.util.Optional;
import org.apache.ratis.server.RaftServer;

/** The snapshot section of INFO raft. */
public final class SnapshotInfoFields implements RaftInfo.SnapshotStatus {
    @Override
    public void write(InfoSink sink, Optional<RaftServer.Division> division) {
        sink.field("snapshot_last_idx", 0);
        sink.field("snapshot_last_term", 0);
        sink.field("snapshot_size", 0);
        sink.field("snapshot_time_secs", -1);
        sink.field("snapshots_created", 0);
        sink.field("snapshots_received", 0);
        sink.field("snapshot_in_progress", "no");
        sink.field("snapshot_in_progress_last_idx", -1);
        sink.field("snapshot_in_progress_last_term", -1);
    }
}
