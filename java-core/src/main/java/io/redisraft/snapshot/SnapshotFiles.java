package io.redisraft.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One snapshot on disk: {@code snapshot.<term>_<index>.rdb} (an RDB written by Redis,
 * carrying the Raft metadata in its module aux record) and
 * {@code snapshot.<term>_<index>.meta} (cluster id, index, term, size and CRC of the
 * RDB). The meta file is written last, so a snapshot without it is incomplete and
 * never used. Both files travel to followers.
 */
public record SnapshotFiles(Path rdb, Path meta, long term, long index) {
    private static final Pattern RDB_NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)\\.rdb");
    public static SnapshotFiles in(Path dir, long term, long index) {
        String base = "snapshot." + term + "_" + index;
        return new SnapshotFiles(dir.resolve(base + ".rdb"), dir.resolve(base + ".meta"), term, index);
    }

    /** Parses an RDB file name; null if it is not one of ours. */
    static SnapshotFiles fromRdbName(Path rdb) {
        Matcher m = RDB_NAME.matcher(rdb.getFileName().toString());
        if (!m.matches()) return null;
        return in(rdb.getParent(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /** Metadata of a snapshot, as stored in the .meta file. */
    public record Meta(String dbid, long term, long index, long size, long crc) {}

    /** Describes the RDB (size, CRC) and writes the meta file atomically. */
    public Meta seal(String dbid) throws IOException {
        RdbCheck check = RdbCheck.of(rdb);
        Meta meta = new Meta(dbid, term, index, check.size(), check.crc());
        Properties p = new Properties();
        p.setProperty("dbid", dbid);
        p.setProperty("term", Long.toString(term));
        p.setProperty("index", Long.toString(index));
        p.setProperty("size", Long.toString(meta.size()));
        p.setProperty("crc64", Long.toUnsignedString(meta.crc()));
        Path tmp = meta().resolveSibling(meta().getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "redisraft-java snapshot");
        }
        fsync(tmp);
        Files.move(tmp, meta(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsync(meta().getParent());
        return meta;
    }

    public Meta readMeta() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return new Meta(p.getProperty("dbid"), Long.parseLong(p.getProperty("term")),
                    Long.parseLong(p.getProperty("index")), Long.parseLong(p.getProperty("size")),
                    Long.parseUnsignedLong(p.getProperty("crc64")));
        } catch (RuntimeException e) {
            throw new IOException("corrupt snapshot metadata " + meta + ": " + e.getMessage());
        }
    }

    public boolean isComplete() {
        return Files.isRegularFile(rdb) && Files.isRegularFile(meta);
    }

    /**
     * Checks that the snapshot belongs to this cluster, is complete and intact, and
     * can be loaded by a Redis that loads RDB versions up to {@code newestRdbVersion}
     * (RdbFormat). Throws with a message for the operator if not.
     */
    public Meta verify(String expectedDbid, int newestRdbVersion) throws IOException {
        if (!isComplete()) throw new IOException("snapshot " + rdb + " is incomplete (missing file)");
        Meta meta = readMeta();
        if (!meta.dbid().equals(expectedDbid)) {
            throw new IOException("snapshot " + rdb + " belongs to cluster " + meta.dbid() + ", not " + expectedDbid);
        }
        if (meta.index() != index || meta.term() != term) {
            throw new IOException("snapshot " + rdb + " metadata says index " + meta.index() + " term " + meta.term());
        }
        RdbCheck check = RdbCheck.of(rdb);
        if (check.size() != meta.size()) {
            throw new IOException("snapshot " + rdb + " is truncated or padded: " + check.size() + " bytes, expected "
                    + meta.size());
        }
        if (check.crc() != meta.crc()) throw new IOException("snapshot " + rdb + " is corrupted (CRC mismatch)");
        if (check.version() > newestRdbVersion) {
            throw new IOException("snapshot " + rdb + " has RDB version " + check.version()
                    + ", newer than this Redis can load");
        }
        if (!check.trailerMatches()) throw new IOException("snapshot " + rdb + " fails its own RDB checksum");
        return meta;
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel c = Files.isDirectory(path) ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** What reading an RDB file end to end tells: size, CRC of everything, version, own trailer check. */
    private record RdbCheck(long size, long crc, int version, boolean trailerMatches) {
        static RdbCheck of(Path rdb) throws IOException {
            Crc64 whole = new Crc64();
            Crc64 body = new Crc64();
            byte[] header = new byte[9];
            byte[] tail = new byte[8];
            long size = Files.size(rdb);
            long bodyLen = size - 8; // the RDB checksum covers all bytes but the last 8, which hold it
            long pos = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(rdb)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (pos < header.length) System.arraycopy(buf, 0, header, (int) pos, (int) Math.min(n, header.length - pos));
                    whole.update(buf, 0, n);
                    int bodyPart = (int) Math.max(0, Math.min(n, bodyLen - pos));
                    body.update(buf, 0, bodyPart);
                    for (int i = bodyPart; i < n; i++) {
                        long t = pos + i - bodyLen;
                        if (t >= 0 && t < 8) tail[(int) t] = buf[i];
                    }
                    pos += n;
                }
            }
            if (pos != size) throw new IOException(rdb + " changed while it was read");
            String magic = new String(header, 0, 5, StandardCharsets.US_ASCII);
            if (size < 17 || !magic.equals("REDIS")) throw new IOException(rdb + " is not an RDB file");
            int version;
            try {
                version = Integer.parseInt(new String(header, 5, 4, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException(rdb + " has a bad RDB header");
            }
            long stored = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).getLong();
            // Redis writes 0 when rdbchecksum is off.
            boolean trailer = stored == 0 || stored == body.value();
            return new RdbCheck(size, whole.value(), version, trailer);
        }
    }
}
