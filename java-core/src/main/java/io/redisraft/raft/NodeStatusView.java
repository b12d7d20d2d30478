package io.redisraft.raft;

import io.redisraft.info.NodeStatus;
import io.redisraft.proxy.FollowerProxy;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/** The node as INFO raft sees it. */
public final class NodeStatusView implements NodeStatus {
    private final RaftNode node;

    public NodeStatusView(RaftNode node) {
        this.node = node;
    }

    @Override
    public String dbid() {
        NodeIdentity id = node.identity();
        return id == null ? "" : id.dbid();
    }

    @Override
    public long nodeId() {
        NodeIdentity id = node.identity();
        return id == null ? 0 : id.nodeId();
    }

    @Override
    public String state() {
        return node.state().label();
    }

    @Override
    public Optional<RaftServer.Division> division() {
        return node.division();
    }

    @Override
    public List<RaftPeer> voters() {
        return node.voters();
    }

    @Override
    public long appliedIndex() {
        return node.applier().appliedIndex();
    }

    @Override
    public int waitingClients() {
        return node.waitingClients();
    }

    @Override
    public FollowerProxy.Counters proxyCounters() {
        return node.proxyCounters();
    }
}
