package io.redisraft.snapshot;

import java.io.File;
import java.io.IOException;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;

/** Placeholder until snapshots exist: there is never a snapshot. */
public class SnapshotStore implements StateMachineStorage {
    private File smDir;

    @Override
    public void init(RaftStorage storage) throws IOException {
        smDir = storage.getStorageDir().getStateMachineDir();
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return null;
    }

    @Override
    public void format() {}

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {}

    @Override
    public File getSnapshotDir() {
        return smDir;
    }

    /** Replaces the Redis dataset with the snapshot. */
    public void loadIntoRedis(SnapshotInfo snapshot) throws IOException {
        throw new IOException("snapshots are not supported yet");
    }
}
