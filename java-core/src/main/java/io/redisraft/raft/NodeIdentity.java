package io.redisraft.raft;

import io.redisraft.config.HostPort;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Who this node is in which cluster: the cluster id (RedisRaft's 32-hex "dbid", which
 * is also the Ratis group id), the node id, and the addresses it advertises. Written
 * next to the Raft log when the node initialises or joins, so a restart needs no
 * operator action.
 */
public record NodeIdentity(String dbid, int nodeId, HostPort redisAddress, HostPort raftAddress) {
    private static final String FILE = "node.properties";

    public RaftGroupId groupId() {
        return groupIdOf(dbid);
    }

    public RaftPeerId peerId() {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    /** This node as a Ratis peer; the Redis address rides along as the peer's client address. */
    public RaftPeer peer() {
        return peer(nodeId, redisAddress, raftAddress);
    }

    public static RaftPeer peer(int nodeId, HostPort redis, HostPort raft) {
        return RaftPeer.newBuilder()
                .setId(Integer.toString(nodeId))
                .setAddress(raft.toString())
                .setClientAddress(redis.toString())
                .build();
    }

    public static RaftGroupId groupIdOf(String dbid) {
        String h = dbid.toLowerCase();
        String uuid = h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                + h.substring(16, 20) + "-" + h.substring(20);
        return RaftGroupId.valueOf(UUID.fromString(uuid));
    }

    public static boolean isValidDbid(String dbid) {
        return dbid.length() == 32 && dbid.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    public static String randomDbid() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    public static Path file(Path storageDir) {
        return storageDir.resolve(FILE);
    }

    public void store(Path storageDir) throws IOException {
        Files.createDirectories(storageDir);
        Properties p = new Properties();
        p.setProperty("dbid", dbid);
        p.setProperty("node_id", Integer.toString(nodeId));
        p.setProperty("redis_address", redisAddress.toString());
        p.setProperty("raft_address", raftAddress.toString());
        Path tmp = storageDir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "redisraft-java node identity");
        }
        Files.move(tmp, file(storageDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The stored identity, or null if this node never joined a cluster. */
    public static NodeIdentity load(Path storageDir) throws IOException {
        Path f = file(storageDir);
        if (!Files.exists(f)) return null;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        HostPort redis = HostPort.parse(p.getProperty("redis_address", ""));
        HostPort raft = HostPort.parse(p.getProperty("raft_address", ""));
        String dbid = p.getProperty("dbid", "");
        if (redis == null || raft == null || !isValidDbid(dbid)) throw new IOException("corrupt " + f);
        return new NodeIdentity(dbid, Integer.parseInt(p.getProperty("node_id")), redis, raft);
    }
}
