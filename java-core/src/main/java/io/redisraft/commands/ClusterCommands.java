package io.redisraft.commands;

import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.bridge.RedisApi;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.NodeState;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * RAFT.CLUSTER, RAFT.NODE, RAFT.TRANSFER_LEADER and RAFT.TIMEOUT_NOW, with RedisRaft's
 * syntax, replies and errors. Called on the main thread; long operations answer the
 * blocked client from another thread when they finish.
 */
final class ClusterCommands {
    private static final Resp ALREADY_MEMBER = Resp.error("ERR Already cluster member");

    private final RedisApi redis;
    private final RaftConfig config;
    private final RaftNode node;
    private final LeaderWait leaderWait;

    ClusterCommands(RedisApi redis, RaftConfig config, RaftNode node, LeaderWait leaderWait) {
        this.redis = redis;
        this.leaderWait = leaderWait;
        this.config = config;
        this.node = node;
    }

    /** RAFT.CLUSTER INIT [id] | JOIN addr [addr ...] */
    Resp cluster(Caller caller, byte[][] argv) {
        String sub = argv.length > 1 ? CommandTable.lower(argv[1]) : "";
        if (!sub.equals("init") && !sub.equals("join")) return Resp.error("ERR RAFT.CLUSTER supports INIT / JOIN only");
        if (node.state() == NodeState.LOADING) return Resp.error("LOADING Raft module is loading data");
        if (sub.equals("init")) {
            if (node.state() != NodeState.UNINITIALIZED) return ALREADY_MEMBER;
            if (argv.length > 3) return Errors.wrongArity("raft.cluster");
            String dbid = argv.length == 3 ? Errors.text(argv[2]).toLowerCase(Locale.ROOT) : NodeIdentity.randomDbid();
            if (!NodeIdentity.isValidDbid(dbid)) return Resp.error("ERR cluster id must be 32 characters");
            BlockedClient client = redis.block(caller.ctx());
            node.init(dbid, reply -> redis.unblock(client, reply));
            return null;
        }
        if (argv.length < 3) return Errors.wrongArity("raft.cluster");
        List<HostPort> seeds = new ArrayList<>();
        for (int i = 2; i < argv.length; i++) {
            HostPort a = HostPort.parse(Errors.text(argv[i]));
            if (a == null) return Resp.error("ERR invalid address: " + Errors.text(argv[i]));
            seeds.add(a);
        }
        BlockedClient client = redis.block(caller.ctx());
        if (node.state() == NodeState.UNINITIALIZED) {
            node.join(seeds, reply -> redis.unblock(client, reply));
        } else {
            // A JOIN repeated (e.g. after a timeout) by a node that did become a member succeeds.
            node.confirmMembership(seeds, member -> redis.unblock(client, member ? Resp.OK : ALREADY_MEMBER));
        }
        return null;
    }

    /** RAFT.NODE ADD id addr [raft-addr] | REMOVE id */
    Resp node(Caller caller, byte[][] argv) {
        return leaderWait.run(caller, deferred -> node(deferred, argv));
    }

    private Resp node(LeaderWait.Deferred deferred, byte[][] argv) {
        String sub = argv.length > 1 ? CommandTable.lower(argv[1]) : "";
        if (!sub.equals("add") && !sub.equals("remove")) return Resp.error("ERR RAFT.NODE supports ADD / REMOVE only");
        Resp refusal = node.refusal();
        if (refusal != null) return refusal;
        if (sub.equals("add")) {
            if (argv.length < 4 || argv.length > 5) return Errors.wrongArity("raft.node");
            Integer id = parseNodeId(argv[2]);
            if (id == null) return Resp.error("ERR invalid node id");
            HostPort addr = HostPort.parse(Errors.text(argv[3]));
            if (addr == null) return Resp.error("ERR invalid node address");
            HostPort raftAddr = argv.length == 5 ? HostPort.parse(Errors.text(argv[4]))
                    : new HostPort(addr.host(), RaftNode.defaultRaftPort(addr.port()));
            if (raftAddr == null) return Resp.error("ERR invalid node address");
            String dbid = node.identity().dbid();
            if (id != 0 && node.isMember(id, addr)) {
                // An ADD repeated (e.g. after a timeout) for a node that did become a member succeeds.
                return Resp.array(Resp.integer(id), Resp.simple(dbid));
            }
            if (id != 0 && node.wasUsed(id)) return Resp.error("ERR node id has already been used in this cluster");
            int nodeId = id != 0 ? id : unusedNodeId();
            return later(deferred, node.addNode(nodeId, addr, raftAddr),
                    () -> Resp.array(Resp.integer(nodeId), Resp.simple(dbid)));
        }
        if (argv.length != 3) return Errors.wrongArity("raft.node");
        Integer id = parseNodeId(argv[2]);
        if (id == null || id == 0) return Resp.error("ERR invalid node id");
        if (!node.isMember(id)) return Resp.error("ERR node id does not exist");
        if (id == node.identity().nodeId() && node.voters().size() == 1) {
            // The last member removes itself: it shuts down, as in RedisRaft (no reply).
            node.shutDownAfterRemoval();
            return null;
        }
        return later(deferred, node.removeNode(id), () -> Resp.OK);
    }

    /** RAFT.TRANSFER_LEADER [id] */
    Resp transferLeader(Caller caller, byte[][] argv) {
        return leaderWait.run(caller, deferred -> transferLeader(deferred, argv));
    }

    private Resp transferLeader(LeaderWait.Deferred deferred, byte[][] argv) {
        if (argv.length > 2) return Errors.wrongArity("raft.transfer_leader");
        Integer requested = argv.length == 2 ? parseNodeId(argv[1]) : null;
        if (argv.length == 2 && requested == null) return Resp.error("ERR invalid target node id");
        if (node.state() != NodeState.UP) return node.refusal();
        if (!node.isLeaderReady()) return Resp.error("ERR not leader");
        if (node.transferInProgress()) return Resp.error("ERR leader transfer is in progress");
        RaftPeerId self = node.identity().peerId();
        RaftPeerId target = requested != null ? RaftPeerId.valueOf(Integer.toString(requested)) : bestSuccessor();
        if (target == null || target.equals(self) || !node.isMember(Integer.parseInt(target.toString()))) {
            return Resp.error("ERR invalid node id");
        }
        long timeout = Math.max(config.number(ConfigOption.ELECTION_TIMEOUT) * 3, 3000);
        BlockedClient client = deferred.block();
        node.transferLeadership(target, timeout).whenComplete((v, error) -> {
            RaftPeerId leader = node.leaderId();
            Resp reply;
            if (target.equals(leader)) reply = Resp.OK;
            else if (leader != null && !leader.equals(self)) reply = Resp.error("ERR different node elected leader");
            else reply = Resp.error("ERR transfer timed out");
            redis.unblock(client, reply);
        });
        return null;
    }

    /** RAFT.TIMEOUT_NOW: this node starts an election at once (without pre-vote); a leader does nothing. */
    Resp timeoutNow(Caller caller, byte[][] argv) {
        if (argv.length != 1) return Errors.wrongArity("raft.timeout_now");
        if (node.state() != NodeState.UP) return node.refusal();
        BlockedClient client = redis.block(caller.ctx());
        node.timeoutNow().thenAccept(problem -> redis.unblock(client,
                problem == null ? Resp.OK : Resp.error("ERR failed to start an election: " + problem)));
        return null;
    }

    /** RAFT.NODESHUTDOWN id: sent by the leader to a node it removed; that node shuts down. */
    Resp nodeShutdown(Caller caller, byte[][] argv) {
        if (argv.length != 2) return Errors.wrongArity("raft.nodeshutdown");
        Integer id = parseNodeId(argv[1]);
        NodeIdentity self = node.identity();
        if (id == null || self == null || id != self.nodeId()) return Resp.error("invalid node id");
        node.shutDownAfterRemoval();
        return null;
    }

    /** The voting follower with the highest commit index. */
    private RaftPeerId bestSuccessor() {
        RaftPeerId self = node.identity().peerId();
        return node.division().flatMap(d -> d.getCommitInfos().stream()
                        .filter(ci -> !RaftPeerId.valueOf(ci.getServer().getId()).equals(self))
                        .filter(ci -> node.voters().stream().anyMatch(
                                p -> p.getId().equals(RaftPeerId.valueOf(ci.getServer().getId()))))
                        .max(Comparator.comparingLong(ci -> ci.getCommitIndex()))
                        .map(ci -> RaftPeerId.valueOf(ci.getServer().getId())))
                .orElseGet(() -> node.voters().stream().map(RaftPeer::getId).filter(id -> !id.equals(self))
                        .findFirst().orElse(null));
    }

    private Resp later(LeaderWait.Deferred deferred, CompletableFuture<Void> operation, Supplier<Resp> success) {
        BlockedClient client = deferred.block();
        operation.whenComplete((v, error) -> {
            if (error == null) {
                redis.unblock(client, success.get());
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                redis.unblock(client, Resp.error("ERR " + cause.getMessage()));
            }
        });
        return null;
    }

    private int unusedNodeId() {
        SecureRandom random = new SecureRandom();
        int id;
        do {
            id = 1 + random.nextInt(Integer.MAX_VALUE - 1);
        } while (node.wasUsed(id) || node.isMember(id));
        return id;
    }

    private static Integer parseNodeId(byte[] arg) {
        try {
            long v = Long.parseLong(Errors.text(arg));
            return v >= 0 && v <= Integer.MAX_VALUE ? (int) v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
