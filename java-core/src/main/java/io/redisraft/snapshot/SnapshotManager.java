package io.redisraft.snapshot;

import io.redisraft.bridge.MainThread;
import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.Shim;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.info.InfoSink;
import io.redisraft.info.RaftInfo;
import io.redisraft.logging.RedisLog;
import io.redisraft.resp.Resp;
import io.redisraft.util.FileTrees;
import io.redisraft.util.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.byref.PointerByReference;
import org.apache.ratis.server.RaftServer;

/**
 * Taking, installing and recovering snapshots of the Redis dataset.
 *
 * <p>Taking one: on the Redis main thread, between two applied entries, Redis forks;
 * the child writes an RDB (with the applied index/term and cluster id in its aux
 * record) into a staging directory. The main thread goes on serving meanwhile. When
 * the child is done the file is moved into Ratis's state-machine directory, sealed
 * with a .meta file, hard-linked as Redis's dbfilename (so a restart loads it), and
 * Ratis purges the log up to it. Only one runs at a time; a failed one leaves the
 * previous snapshot and the log untouched and is retried later.
 *
 * <p>Loading one (installed from the leader, or found newer than the dataset at
 * start): the files are verified first -- cluster id, size, CRC, RDB version --
 * because Redis empties the dataset before it loads an RDB; then the file becomes
 * dbfilename and Redis reloads it (DEBUG RELOAD NOSAVE) on the main thread.
 */
public final class SnapshotManager implements RaftInfo.SnapshotStatus {
    private static final long RETRY_AFTER_FAILURE_MS = 10_000;
    private static final String STAGING = "snapshot-staging";

    private final RedisApi redis;
    private final MainThread mainThread;
    private final RaftConfig config;
    private final Path redisDir;
    private final String dbfilename;
    private final Path staging;
    /** Newest RDB format this Redis loads: a snapshot in a newer one is refused before it is installed. */
    private final int newestRdbVersion;
    private final ExecutorService worker = Threads.single("raft-snapshot");
    private volatile SnapshotHost host;

    // Progress of the snapshot being taken; main thread, except where noted.
    private final List<Consumer<Resp>> waiters = new ArrayList<>();
    private volatile boolean inProgress;
    private volatile long inProgressIndex = -1;
    private volatile long inProgressTerm = -1;
    private long startedNanos;
    private volatile long nextAutomaticAttempt;
    /**
     * Log size right after the last snapshot (or this start), or smaller if the log shrank
     * since (installation). Unknown at first: Ratis preallocates the segment it writes, so a
     * fresh log may already be above a small raft.log-max-file-size.
     */
    private volatile long smallestLogSinceSnapshot = Long.MAX_VALUE;
    /** The same, counted in entries. */
    private volatile long fewestEntriesSinceSnapshot = Long.MAX_VALUE;
    private volatile long created;
    private volatile long received;
    private volatile long lastDurationSecs = -1;

    public SnapshotManager(RedisApi redis, MainThread mainThread, RaftConfig config, Path redisDir, String dbfilename,
                           Path storageDir) {
        this.redis = redis;
        this.mainThread = mainThread;
        this.config = config;
        this.redisDir = redisDir;
        this.dbfilename = dbfilename;
        this.staging = storageDir.resolve(STAGING);
        this.newestRdbVersion = RdbFormat.newestLoadable(redis.serverVersion());
    }

    public void attach(SnapshotHost snapshotHost) {
        this.host = snapshotHost;
    }

    // ---- Taking snapshots ----

    /**
     * Ratis keeps about this much Java heap per log entry: an index record for every entry of
     * the log, and the entry's objects while it is cached (measured with a class histogram:
     * about 220 and 350 bytes, whatever the entry's size).
     */
    static final long HEAP_BYTES_PER_ENTRY = 600;

    /**
     * Most entries the log may hold before a snapshot: what a quarter of the heap indexes.
     * Small entries (one client's commands, one per entry) would otherwise fill the heap long
     * before the log reaches raft.log-max-file-size.
     */
    static long maxLogEntries(long heapBytes) {
        return Math.max(10_000, heapBytes / 4 / HEAP_BYTES_PER_ENTRY);
    }

    /**
     * Any thread: starts a snapshot if the log grew past raft.log-max-file-size, or past
     * {@link #maxLogEntries} entries -- and by half of that since its smallest size after the
     * last snapshot (or this start): what a snapshot cannot remove (the segment still being
     * written) must not cause one snapshot after another.
     */
    public void compactIfNeeded() {
        SnapshotHost h = host;
        if (h == null || h.store() == null) return;
        long size = h.logFileSize();
        long entries = h.logEntryCount();
        // Followed even while no snapshot may start: the purge after the last one may end after it was measured.
        if (size < smallestLogSinceSnapshot) smallestLogSinceSnapshot = size;
        if (entries < fewestEntriesSinceSnapshot) fewestEntriesSinceSnapshot = entries;
        if (inProgress || config.flag(ConfigOption.SNAPSHOT_DISABLE)) return;
        if (System.currentTimeMillis() < nextAutomaticAttempt) return;
        long max = config.number(ConfigOption.LOG_MAX_FILE_SIZE);
        long maxEntries = maxLogEntries(Runtime.getRuntime().maxMemory());
        boolean tooLarge = size > max && size - smallestLogSinceSnapshot > max / 2;
        boolean tooMany = entries > maxEntries && entries - fewestEntriesSinceSnapshot > maxEntries / 2;
        if (tooLarge || tooMany) mainThread.execute(() -> start(null));
    }

    /** Main thread: RAFT.DEBUG COMPACT; {@code done} gets the reply once the snapshot is taken. */
    public void start(Consumer<Resp> done) {
        if (done != null) waiters.add(done);
        if (inProgress) return;
        SnapshotHost h = host;
        SnapshotStore store = h == null ? null : h.store();
        if (store == null) {
            finish(Resp.error("ERR Raft is not running"), false);
            return;
        }
        long index = h.appliedIndex();
        long term = h.appliedTerm();
        SnapshotFiles latest = store.latestFiles();
        if (index <= 0 || (latest != null && latest.index() >= index)) {
            // Nothing applied since the last snapshot: only the log may need trimming.
            inProgress = true;
            h.compactLog().whenComplete((v, e) -> mainThread.execute(() -> finish(Resp.OK, true)));
            return;
        }
        try {
            prepareStaging();
        } catch (IOException e) {
            failed("cannot prepare " + staging + ": " + e.getMessage());
            return;
        }
        startedNanos = System.nanoTime();
        int pid = redis.shim().rr_fork_snapshot(staging.toString(), (int) config.number(ConfigOption.SNAPSHOT_DELAY),
                config.flag(ConfigOption.SNAPSHOT_FAIL) ? 1 : 0);
        if (pid <= 0) {
            failed("cannot fork a snapshot child (is another child process running?)");
            return;
        }
        inProgress = true;
        inProgressIndex = index;
        inProgressTerm = term;
        RedisLog.verbose("taking a snapshot at index " + index + " (child pid " + pid + ")");
    }

    /** Main thread: the fork child exited. */
    public void childDone(int exitCode, int bySignal) {
        if (!inProgress || inProgressIndex < 0) return;
        if (exitCode == Shim.SNAPSHOT_CHILD_FAILED_ON_PURPOSE && bySignal == 0) {
            failed("debug rdbSave() failed"); // raft.snapshot-fail, in RedisRaft's words
            return;
        }
        if (exitCode != 0 || bySignal != 0) {
            failed("snapshot child failed (exit code " + exitCode + ", signal " + bySignal + ")");
            return;
        }
        long index = inProgressIndex;
        long term = inProgressTerm;
        worker.execute(() -> seal(index, term));
    }

    /** Snapshot thread: turns the child's RDB into a published snapshot. */
    private void seal(long index, long term) {
        SnapshotHost h = host;
        SnapshotStore store = h == null ? null : h.store();
        try {
            if (store == null) throw new IOException("Raft stopped meanwhile");
            Path produced = staging.resolve(dbfilename);
            if (!Files.exists(produced)) throw new IOException("the child wrote no " + produced);
            SnapshotFiles files = SnapshotFiles.in(store.dir(), term, index);
            SnapshotFiles.fsync(produced);
            Files.move(produced, files.rdb(), StandardCopyOption.ATOMIC_MOVE);
            SnapshotFiles.Meta meta = files.seal(h.dbid());
            linkAsDbfilename(files.rdb());
            store.offer(files);
            h.compactLog().join();
            store.promote();
            store.cleanupOldSnapshots(null);
            smallestLogSinceSnapshot = h.logFileSize();
            fewestEntriesSinceSnapshot = h.logEntryCount();
            long secs = (System.nanoTime() - startedNanos) / 1_000_000_000L;
            RedisLog.notice("snapshot taken at index " + index + " (" + meta.size() + " bytes, " + secs + " s)");
            mainThread.execute(() -> {
                created++;
                lastDurationSecs = secs;
                finish(Resp.OK, true);
            });
        } catch (IOException | CompletionException e) {
            String why = e.getMessage();
            mainThread.execute(() -> failed("cannot complete the snapshot at index " + index + ": " + why));
        }
    }

    private void failed(String why) {
        RedisLog.warning(why + "; the previous snapshot and the log are kept, retrying later");
        nextAutomaticAttempt = System.currentTimeMillis() + RETRY_AFTER_FAILURE_MS;
        finish(Resp.error("ERR " + why), false);
    }

    private void finish(Resp reply, boolean ok) {
        inProgress = false;
        inProgressIndex = -1;
        inProgressTerm = -1;
        if (ok) nextAutomaticAttempt = 0;
        for (Consumer<Resp> w : waiters) w.accept(reply);
        waiters.clear();
    }

    private void prepareStaging() throws IOException {
        FileTrees.delete(staging);
        Files.createDirectories(staging);
    }

    // ---- Loading snapshots ----

    /** Ratis thread (installation from the leader): verifies, then loads into Redis and waits for it. */
    public void install(SnapshotFiles files) throws IOException {
        SnapshotHost h = host;
        String dbid = h == null ? null : h.dbid();
        try {
            files.verify(dbid, newestRdbVersion);
            // Ratis wrote the files; they must be on disk before dbfilename links to them.
            SnapshotFiles.fsync(files.rdb());
            SnapshotFiles.fsync(files.meta());
            SnapshotFiles.fsync(files.rdb().getParent());
        } catch (IOException e) {
            RedisLog.warning("refusing the snapshot received from the leader: " + e.getMessage());
            throw e;
        }
        try {
            mainThread.submit(() -> {
                try {
                    loadVerified(files);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
                return null;
            }).join();
        } catch (CompletionException e) {
            // MainThread.submit hands the task's CompletionException through as is.
            Throwable cause = e.getCause();
            RedisLog.warning("cannot load the leader's snapshot: " + cause.getMessage());
            if (cause instanceof IOException io) throw io;
            throw new IOException(cause);
        }
        received++;
        RedisLog.notice("installed the leader's snapshot at index " + files.index());
    }

    /**
     * Main thread, at start before Ratis runs: makes the dataset Redis loaded agree with
     * the newest snapshot in {@code smDir}, which is where Ratis will resume applying.
     * Returns what the resulting dataset's RDB says about the cluster, or null if it says nothing.
     */
    public ClusterMetadata reconcile(Path smDir, String dbid) throws IOException {
        FileTrees.delete(staging);
        SnapshotFiles latest = SnapshotStore.newestComplete(smDir);
        Loaded loaded = loadedMetadata();
        if (loaded != null && !dbid.equals(loaded.dbid())) {
            RedisLog.warning("the loaded RDB belongs to cluster " + loaded.dbid() + ": discarding it");
            redis.call("FLUSHALL");
            loaded = null;
        }
        if (latest != null && (loaded == null || loaded.index() < latest.index())) {
            latest.verify(dbid, newestRdbVersion);
            RedisLog.notice("loading snapshot at index " + latest.index() + " (newer than the dataset loaded at start)");
            loadVerified(latest);
            loaded = loadedMetadata();
        } else if (loaded != null && loaded.index() > 0 && (latest == null || loaded.index() > latest.index())) {
            // An RDB newer than any snapshot (e.g. from SHUTDOWN SAVE) is itself a valid snapshot.
            Files.createDirectories(smDir);
            SnapshotFiles files = SnapshotFiles.in(smDir, loaded.term(), loaded.index());
            Path dbfile = redisDir.resolve(dbfilename);
            Files.deleteIfExists(files.rdb());
            Files.createLink(files.rdb(), dbfile);
            files.seal(dbid);
            RedisLog.notice("the RDB loaded at start (index " + loaded.index() + ") is now the latest snapshot");
        } else if (loaded == null && latest == null && dbsize() > 0) {
            RedisLog.warning("the dataset loaded at start was not written by Raft: discarding it, "
                    + "the Raft log rebuilds the dataset");
            redis.call("FLUSHALL");
        }
        return loaded == null ? null : loaded.cluster();
    }

    /** Main thread. */
    private void loadVerified(SnapshotFiles files) throws IOException {
        SnapshotHost h = host;
        h.loading(true);
        if (config.flag(ConfigOption.SNAPSHOT_DISABLE_LOAD)) {
            // A test hook, as in RedisRaft: the snapshot is put in place, never loaded; the node stays loading.
            linkAsDbfilename(files.rdb());
            throw new IOException("raft.snapshot-disable-load is set: the snapshot was not loaded");
        }
        try {
            linkAsDbfilename(files.rdb());
            if (redis.shim().rr_reload_rdb() != 0) {
                throw new IOException("Redis could not load " + files.rdb() + " (see above); the dataset is empty");
            }
            Loaded now = loadedMetadata();
            if (now == null || now.index() != files.index()) {
                throw new IOException("snapshot " + files.rdb() + " carries no matching Raft metadata");
            }
            h.datasetReplaced(files.index(), files.term(), now.cluster());
        } finally {
            h.loading(false);
        }
    }

    private void linkAsDbfilename(Path rdb) throws IOException {
        Path target = redisDir.resolve(dbfilename);
        Path tmp = redisDir.resolve(dbfilename + ".raft-link");
        Files.deleteIfExists(tmp);
        Files.createLink(tmp, rdb);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SnapshotFiles.fsync(redisDir);
    }

    private long dbsize() {
        Resp r = redis.call("DBSIZE");
        return r instanceof Resp.Int i ? i.value() : 0;
    }

    /** The Raft metadata of the RDB Redis loaded last. */
    private record Loaded(long index, long term, ClusterMetadata cluster) {
        String dbid() {
            return cluster.dbid();
        }
    }

    private Loaded loadedMetadata() {
        LongLongByReference index = new LongLongByReference();
        LongLongByReference term = new LongLongByReference();
        PointerByReference blob = new PointerByReference();
        IntByReference len = new IntByReference();
        if (redis.shim().rr_loaded_metadata(index, term, blob, len) == 0) return null;
        Pointer p = blob.getValue();
        byte[] bytes = new byte[len.intValue()];
        if (p != null && bytes.length > 0) p.get(0, bytes, 0, bytes.length);
        return new Loaded(index.longValue(), term.longValue(), ClusterMetadata.decode(bytes));
    }

    /** Main thread: what every RDB written from now on says about the cluster. */
    public void setMetadata(ClusterMetadata metadata) {
        byte[] b = metadata.encode();
        redis.shim().rr_set_metadata_blob(b, b.length);
    }

    /**
     * Sets a removed node's files aside (&lt;name&gt;.&lt;node id&gt;.bak): its Raft storage and
     * Redis's dbfilename, so that started again it holds no cluster and loads no data.
     */
    public void setAside(Path storageDir, int nodeId) {
        for (Path p : List.of(storageDir, redisDir.resolve(dbfilename))) {
            Path target = p.resolveSibling(p.getFileName() + "." + nodeId + ".bak");
            try {
                if (!Files.exists(p)) continue;
                FileTrees.delete(target);
                Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                RedisLog.warning("cannot set " + p + " aside: " + e.getMessage());
            }
        }
    }

    // ---- INFO ----

    @Override
    public void write(InfoSink sink, Optional<RaftServer.Division> division) {
        SnapshotHost h = host;
        SnapshotFiles latest = h == null || h.store() == null ? null : h.store().latestFiles();
        sink.field("snapshot_last_idx", latest == null ? 0 : latest.index());
        sink.field("snapshot_last_term", latest == null ? 0 : latest.term());
        long size = 0;
        try {
            if (latest != null) size = Files.size(latest.rdb());
        } catch (IOException e) {
            size = 0;
        }
        sink.field("snapshot_size", size);
        sink.field("snapshot_time_secs", lastDurationSecs);
        sink.field("snapshots_created", created);
        sink.field("snapshots_received", received);
        sink.field("snapshot_in_progress", inProgress ? "yes" : "no");
        sink.field("snapshot_in_progress_last_idx", inProgressIndex);
        sink.field("snapshot_in_progress_last_term", inProgressTerm);
    }
}
