package io.redisraft.raft;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.logging.RedisLog;
import io.redisraft.resp.Resp;
import io.redisraft.resp.RespClient;
import io.redisraft.security.NodeTls;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/** RESP connections from this node to other nodes' Redis ports, as raft.cluster-user (over TLS with raft.tls-enabled). */
public final class NodeConnections {
    private final RaftConfig config;
    private final Supplier<NodeTls> tls;

    NodeConnections(RaftConfig config, Supplier<NodeTls> tls) {
        this.config = config;
        this.tls = tls;
    }

    /** A connection that waits at most {@code readTimeoutMs} for each reply. */
    public RespClient open(HostPort address, int readTimeoutMs) throws IOException {
        NodeTls t = tls.get();
        return RespClient.connect(address, (int) config.number(ConfigOption.CONNECTION_TIMEOUT), readTimeoutMs,
                config.string(ConfigOption.CLUSTER_USER), config.string(ConfigOption.CLUSTER_PASSWORD),
                t == null ? null : t.socketFactory());
    }

    /**
     * A command to the leader of the cluster {@code address} belongs to: a follower's
     * {@code -MOVED} is followed once. Any other reply, errors included, is returned.
     */
    public Resp callLeader(HostPort address, int readTimeoutMs, byte[]... argv) throws IOException {
        HostPort to = address;
        for (int hop = 0; hop < 2; hop++) {
            Resp answer;
            try (RespClient c = open(to, readTimeoutMs)) {
                answer = c.call(argv);
            }
            HostPort leader = movedTarget(answer);
            if (leader == null) return answer;
            to = leader;
        }
        throw new IOException(address + " redirected more than once");
    }

    /** The address a {@code -MOVED} reply names, or null for any other reply. */
    static HostPort movedTarget(Resp reply) {
        if (!(reply instanceof Resp.Error e) || !e.code().equals("MOVED")) return null;
        String[] parts = e.message().split(" ");
        return parts.length >= 3 ? HostPort.parse(parts[2]) : null;
    }

    private RespClient open(HostPort address) throws IOException {
        return open(address, (int) config.number(ConfigOption.CONNECTION_TIMEOUT));
    }

    /** Tells a node it was removed (RAFT.NODESHUTDOWN); best effort, as in RedisRaft. */
    void tellRemoved(HostPort address, int nodeId) {
        try (RespClient c = open(address)) {
            c.call("RAFT.NODESHUTDOWN", Integer.toString(nodeId));
        } catch (IOException e) {
            RedisLog.verbose("could not tell removed node " + nodeId + " at " + address + ": " + e.getMessage());
        }
    }

    /** Whether one of the nodes reports this cluster id in its INFO raft. */
    boolean anyInCluster(List<HostPort> nodes, String dbid) {
        for (HostPort node : nodes) {
            try (RespClient c = open(node)) {
                if (dbid.equals(InfoFields.of(c.call("INFO", "raft")).get("raft_dbid"))) return true;
            } catch (IOException e) {
                RedisLog.verbose("cannot reach " + node + ": " + e.getMessage());
            }
        }
        return false;
    }
}
