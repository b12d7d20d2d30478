package io.redisraft.snapshot;

import io.redisraft.logging.RedisLog;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * The snapshots Ratis knows of, in the member's state-machine directory (sm/). The
 * newest complete one is what Ratis ships to followers and what the log is purged
 * up to. Ratis replaces the whole directory when it installs a snapshot from the
 * leader, so nothing else lives there.
 */
public final class SnapshotStore implements StateMachineStorage {
    /** Snapshots kept (the newest and the one before it), so one being sent to a follower is not deleted under it. */
    private static final int KEEP = 2;

    private volatile Path dir;
    private volatile SnapshotFiles latest;
    private volatile SnapshotFiles pending;

    @Override
    public void init(RaftStorage storage) throws IOException {
        dir = storage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(dir);
        rescan();
    }

    /** Reads the directory again (after start or after an installation replaced it). */
    public void rescan() {
        latest = newestComplete(dir);
    }

    public Path dir() {
        return dir;
    }

    public SnapshotFiles latestFiles() {
        return latest;
    }

    /**
     * A sealed snapshot becomes the newest one when Ratis asks for it (takeSnapshot),
     * which is also when Ratis purges the log up to it.
     */
    void offer(SnapshotFiles files) {
        pending = files;
    }

    /** Publishes the offered snapshot, if any; returns the newest snapshot index (-1 if none). */
    public synchronized long promote() {
        SnapshotFiles p = pending;
        SnapshotFiles current = latest;
        if (p != null && (current == null || p.index() > current.index())) latest = p;
        pending = null;
        return latest == null ? -1 : latest.index();
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        SnapshotFiles f = latest;
        if (f == null) return null;
        try {
            List<FileInfo> files = List.of(new FileInfo(f.rdb(), null), new FileInfo(f.meta(), null));
            return new FileListSnapshotInfo(files, TermIndex.valueOf(f.term(), f.index()));
        } catch (RuntimeException e) {
            RedisLog.warning("snapshot " + f.rdb() + " unreadable: " + e.getMessage());
            return null;
        }
    }

    @Override
    public void format() {}

    /** Deletes snapshots older than the newest {@link #KEEP}, and leftovers of incomplete ones. */
    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        List<SnapshotFiles> all = list(dir);
        all.sort(Comparator.comparingLong(SnapshotFiles::index).reversed());
        int kept = 0;
        for (SnapshotFiles f : all) {
            if (f.isComplete() && kept < KEEP) {
                kept++;
                continue;
            }
            Files.deleteIfExists(f.meta());
            Files.deleteIfExists(f.rdb());
        }
    }

    @Override
    public File getSnapshotDir() {
        return dir.toFile();
    }

    /** The newest complete snapshot in a directory (null if none). */
    public static SnapshotFiles newestComplete(Path dir) {
        return list(dir).stream().filter(SnapshotFiles::isComplete)
                .max(Comparator.comparingLong(SnapshotFiles::index)).orElse(null);
    }

    private static List<SnapshotFiles> list(Path dir) {
        List<SnapshotFiles> found = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) return found;
        try (Stream<Path> files = Files.list(dir)) {
            files.map(SnapshotFiles::fromRdbName).filter(f -> f != null).forEach(found::add);
        } catch (IOException e) {
            RedisLog.warning("cannot list " + dir + ": " + e.getMessage());
        }
        return found;
    }
}
