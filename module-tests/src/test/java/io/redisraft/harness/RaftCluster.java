package io.redisraft.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A Raft cluster of {@link RedisNode}s on 127.0.0.1. */
public final class RaftCluster {
    public static final Duration READY = Duration.ofSeconds(30);
    public static final Duration CONVERGE = Duration.ofSeconds(60);
    /** Longer than raft.join-timeout's default (120 s), so JOIN's own error is what a test sees. */
    public static final Duration JOIN = Duration.ofSeconds(150);

    private final Servers servers;
    private final String[] extraArgs;
    private final NetnsNetwork network;
    private final List<RedisNode> nodes = new ArrayList<>();
    private int hosts;
    private String dbid;

    RaftCluster(Servers servers, String[] extraArgs, NetnsNetwork network) {
        this.servers = servers;
        this.extraArgs = extraArgs;
        this.network = network;
    }

    /** The private network the nodes run on, or null when they share 127.0.0.1. */
    public NetnsNetwork network() {
        return network;
    }

    /** Host index of a node on the private network. */
    public int hostOf(RedisNode n) {
        return nodes.indexOf(n);
    }

    public List<RedisNode> nodes() {
        return nodes;
    }

    public RedisNode node(int i) {
        return nodes.get(i);
    }

    public String dbid() {
        return dbid;
    }

    /** Starts a new node and makes it a member: INIT for the first, JOIN via the others afterwards. */
    public RedisNode addNode(String... moreArgs) {
        String[] args = new String[extraArgs.length + moreArgs.length];
        System.arraycopy(extraArgs, 0, args, 0, extraArgs.length);
        System.arraycopy(moreArgs, 0, args, extraArgs.length, moreArgs.length);
        RedisNode n = (network == null ? servers.node(args) : servers.node(network, hosts++, args))
                .start().awaitReady(READY);
        if (nodes.isEmpty()) {
            Object reply = n.call("RAFT.CLUSTER", "INIT");
            if (!(reply instanceof String s) || !s.startsWith("OK ")) throw new IllegalStateException("INIT: " + reply);
            dbid = s.substring(3);
        } else {
            join(n);
        }
        nodes.add(n);
        return n;
    }

    /** Makes a started node join through the current members; JOIN answers once the node has caught up. */
    public void join(RedisNode n) {
        List<String> cmd = new ArrayList<>(List.of("RAFT.CLUSTER", "JOIN"));
        for (RedisNode m : nodes) if (m.isRunning() && m != n) cmd.add(m.address());
        Object reply = n.callSlow(JOIN, cmd.toArray(new String[0]));
        assertEquals("OK", reply, () -> "JOIN of " + n + "\n" + n.logTail(40));
    }

    /** Waits until exactly one running node is leader and every running member knows it; returns it. */
    public RedisNode awaitLeader() {
        return awaitLeader(READY);
    }

    public RedisNode awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RedisNode leader = currentLeader();
            if (leader != null) return leader;
            RedisNode.sleep(100);
        }
        throw new IllegalStateException("no leader within " + timeout + "\n" + describe());
    }

    /** A node other than the current leader (a follower once the cluster is formed). */
    public RedisNode aFollower() {
        RedisNode leader = awaitLeader();
        return nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    /** The leader if all running members agree on it, else null (a node outside the cluster has no say). */
    public RedisNode currentLeader() {
        RedisNode leader = null;
        String leaderId = null;
        for (RedisNode n : running()) {
            Map<String, String> info;
            try {
                info = n.info();
            } catch (Exception e) {
                return null;
            }
            if ("uninitialized".equals(info.get("raft_state"))) continue;
            if ("leader".equals(info.get("raft_role"))) {
                if (leader != null) return null;
                leader = n;
            }
            String id = info.get("raft_leader_id");
            if (leaderId == null) leaderId = id;
            else if (!leaderId.equals(id)) return null;
        }
        if (leader == null || !leaderId.equals(leader.info("raft_node_id"))) return null;
        return leader;
    }

    public List<RedisNode> running() {
        List<RedisNode> up = new ArrayList<>();
        for (RedisNode n : nodes) if (n.isRunning()) up.add(n);
        return up;
    }

    /** Waits until every running node has applied everything the leader committed. */
    /** Every node snapshots once its log is applied, so earlier entries are gone from every log. */
    public void compactEverywhere() {
        awaitConverged();
        for (RedisNode n : running()) assertEquals("OK", n.call("RAFT.DEBUG", "COMPACT"), n.toString());
    }

    public void awaitConverged() {
        RedisNode leader = awaitLeader();
        long commit = Long.parseLong(leader.info("raft_commit_index"));
        try {
            awaitTrue(CONVERGE, () -> running().stream().allMatch(
                    n -> Long.parseLong(n.info("raft_last_applied_index")) >= commit), "nodes to apply index " + commit);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n" + describe(), e);
        }
    }

    /** Every running node holds the same data, compared at one applied index they all stand at. */
    public void assertIdentical() {
        Map<String, String> digests = Datasets.digestsAtOneIndex(this, CONVERGE)
                .orElseThrow(() -> new AssertionError("the nodes never stood at one applied index\n" + describe()));
        if (digests.values().stream().distinct().count() == 1) return;
        Datasets.assertIdentical(running()); // names the keys that differ
        throw new AssertionError("datasets differ at the same applied index: " + digests);
    }

    public static void awaitTrue(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                // a node may be restarting; keep polling
            }
            RedisNode.sleep(100);
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (RedisNode n : nodes) {
            sb.append(n).append(n.isRunning() ? "" : " (down)");
            if (n.isRunning()) {
                try {
                    Map<String, String> i = n.info();
                    sb.append(" state=").append(i.get("raft_state")).append(" role=").append(i.get("raft_role"))
                            .append(" leader=").append(i.get("raft_leader_id")).append(" term=")
                            .append(i.get("raft_current_term")).append(" commit=").append(i.get("raft_commit_index"))
                            .append(" applied=").append(i.get("raft_last_applied_index"));
                } catch (Exception e) {
                    sb.append(" (no INFO: ").append(e.getMessage()).append(')');
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
