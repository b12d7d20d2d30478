package io.redisraft.info;

import io.redisraft.proxy.FollowerProxy;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/** What INFO raft shows about this node; supplied by the raft package. */
public interface NodeStatus {
    /** The cluster id, or "" before the node belongs to a cluster. */
    String dbid();

    /** This node's id, or 0 before it belongs to a cluster. */
    long nodeId();

    /** raft_state: uninitialized, joining, loading, up, ... */
    String state();

    /** The Ratis member, or empty while no Raft server runs. */
    Optional<RaftServer.Division> division();

    /** The voting members. */
    List<RaftPeer> voters();

    long appliedIndex();

    /** Clients waiting for their command to be committed and applied. */
    int waitingClients();

    /** What this node sent to the leader as a follower that proxies (raft.follower-proxy). */
    FollowerProxy.Counters proxyCounters();
}
