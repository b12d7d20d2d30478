package io.redisraft.raft;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.logging.RedisLog;
import io.redisraft.logging.Trace;
import io.redisraft.resp.Resp;
import io.redisraft.resp.RespClient;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * RAFT.CLUSTER JOIN: talks RESP to the given cluster nodes until one (the leader,
 * following -MOVED) adds this node, or raft.join-timeout passes. The cluster id is
 * read from the first member's INFO raft; this node's Ratis server is started (with
 * an empty membership) before it asks to be added, because the leader starts
 * replicating to it as soon as the request is accepted. Every given address is tried at
 * least once, even past the timeout.
 */
final class ClusterJoiner {
    interface Starter {
        void start(NodeIdentity identity) throws IOException;
    }

    private final RaftConfig config;
    private final NodeConnections connections;
    private final Function<String, NodeIdentity> identityFor;
    private final Starter starter;
    private NodeIdentity identity;

    ClusterJoiner(RaftConfig config, NodeConnections connections, Function<String, NodeIdentity> identityFor,
                  Starter starter) {
        this.config = config;
        this.connections = connections;
        this.identityFor = identityFor;
        this.starter = starter;
    }

    void join(List<HostPort> seeds) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + config.number(ConfigOption.JOIN_TIMEOUT);
        long retryDelay = config.number(ConfigOption.RECONNECT_INTERVAL);
        Deque<HostPort> candidates = new ArrayDeque<>(seeds);
        String lastProblem = "no node answered";
        // Every address is tried at least once, however short raft.join-timeout is.
        for (int attempt = 0; attempt < seeds.size() || System.currentTimeMillis() < deadline; attempt++) {
            HostPort target = candidates.pollFirst();
            candidates.addLast(target);
            int readTimeout = (int) Math.max(1000, deadline - System.currentTimeMillis());
            Trace.CONN.log(() -> "join: connecting to " + target);
            try (RespClient c = connections.open(target, readTimeout)) {
                if (identity == null) {
                    String dbid = InfoFields.of(c.call("INFO", "raft")).get("raft_dbid");
                    if (dbid == null || !NodeIdentity.isValidDbid(dbid)) {
                        lastProblem = target + " is not a member of a cluster";
                    } else {
                        identity = identityFor.apply(dbid);
                        starter.start(identity);
                    }
                }
                if (identity != null) {
                    Resp reply = c.call("RAFT.NODE", "ADD", Integer.toString(identity.nodeId()),
                            identity.redisAddress().toString(), identity.raftAddress().toString());
                    if (!reply.isError()) return;
                    lastProblem = target + " answered " + reply.asText();
                    HostPort leader = NodeConnections.movedTarget(reply);
                    if (leader != null) {
                        candidates.remove(leader);
                        candidates.addFirst(leader);
                        continue;
                    }
                    if (reply.asText().contains("already been used")) throw new IOException(lastProblem);
                }
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("already been used")) throw e;
                lastProblem = "cannot talk to " + target + ": " + e.getMessage();
            }
            RedisLog.verbose("join: " + lastProblem + "; retrying");
            Thread.sleep(retryDelay);
        }
        throw new IOException("join timed out: " + lastProblem);
    }
}
