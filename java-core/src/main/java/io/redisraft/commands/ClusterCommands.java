package io.redisraft.commands;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.raft.NodeIdentity;
import io.redisraft.raft.NodeState;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.resp.RespClient;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * RAFT.CLUSTER, RAFT.NODE, RAFT.TRANSFER_LEADER and RAFT.TIMEOUT_NOW, with RedisRaft's
 * syntax, replies and errors. Called on the main thread; long operations answer the
 * blocked client from another thread when they finish.
 */
final class ClusterCommands {
    private final RedisApi redis;
    private final RaftConfig config;
    private final RaftNode node;

    ClusterCommands(RedisApi redis, RaftConfig config, RaftNode node) {
        this.redis = redis;
        this.config = config;
        this.node = node;
    }

    /** RAFT.CLUSTER INIT [id] | JOIN addr [addr ...] */
    Resp cluster(Caller caller, byte[][] argv) {
        String sub = argv.length > 1 ? CommandTable.lower(argv[1]) : "";
        if (!sub.equals("init") && !sub.equals("join")) return Resp.error("ERR RAFT.CLUSTER supports INIT / JOIN only");
        if (node.state() == NodeState.LOADING) return Resp.error("LOADING Raft module is loading data");
        if (node.state() != NodeState.UNINITIALIZED) return Resp.error("ERR Already cluster member");
        if (sub.equals("init")) {
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
        node.join(seeds, reply -> redis.unblock(client, reply));
        return null;
    }

    /** RAFT.NODE ADD id addr [raft-addr] | REMOVE id */
    Resp node(Caller caller, byte[][] argv) {
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
            if (id == 0) id = unusedNodeId();
            if (node.isMember(id)) return Resp.error("ERR node id has already been used in this cluster");
            int nodeId = id;
            String dbid = node.identity().dbid();
            return later(caller, node.addNode(nodeId, addr, raftAddr),
                    () -> Resp.array(Resp.integer(nodeId), Resp.simple(dbid)));
        }
        if (argv.length != 3) return Errors.wrongArity("raft.node");
        Integer id = parseNodeId(argv[2]);
        if (id == null || id == 0 || !node.isMember(id)) return Resp.error("ERR node id does not exist");
        return later(caller, node.removeNode(id), () -> Resp.OK);
    }

    /** RAFT.TRANSFER_LEADER [id] */
    Resp transferLeader(Caller caller, byte[][] argv) {
        if (argv.length > 2) return Errors.wrongArity("raft.transfer_leader");
        Resp refusal = node.refusal();
        if (refusal != null) return refusal;
        RaftPeerId target;
        if (argv.length == 2) {
            Integer id = parseNodeId(argv[1]);
            if (id == null || id == 0 || !node.isMember(id)) return Resp.error("ERR invalid node id");
            target = RaftPeerId.valueOf(Integer.toString(id));
        } else {
            target = bestSuccessor();
            if (target == null) return Resp.error("ERR no other voting node to transfer leadership to");
        }
        long timeout = Math.max(config.number(ConfigOption.ELECTION_TIMEOUT) * 3, 3000);
        return later(caller, node.transferLeadership(target, timeout), () -> Resp.OK);
    }

    /** RAFT.TIMEOUT_NOW: make this node start an election now (done by asking the leader to hand over). */
    Resp timeoutNow(Caller caller, byte[][] argv) {
        if (argv.length != 1) return Errors.wrongArity("raft.timeout_now");
        if (node.state() != NodeState.UP) return node.refusal();
        if (node.isLeaderReady()) return Resp.OK;
        String leader = node.leaderRedisAddress().orElse(null);
        if (leader == null) return Resp.error("CLUSTERDOWN No raft leader");
        int self = node.identity().nodeId();
        BlockedClient client = redis.block(caller.ctx());
        CompletableFuture.runAsync(() -> {
            Resp reply;
            try (RespClient c = RespClient.connect(HostPort.parse(leader),
                    (int) config.number(ConfigOption.CONNECTION_TIMEOUT),
                    (int) Math.max(5000, config.number(ConfigOption.ELECTION_TIMEOUT) * 4),
                    config.string(ConfigOption.CLUSTER_USER), config.string(ConfigOption.CLUSTER_PASSWORD))) {
                reply = c.call("RAFT.TRANSFER_LEADER", Integer.toString(self));
            } catch (Exception e) {
                reply = Resp.error("ERR cannot reach the leader: " + e.getMessage());
            }
            redis.unblock(client, reply);
        });
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

    private Resp later(Caller caller, CompletableFuture<Void> operation, java.util.function.Supplier<Resp> success) {
        BlockedClient client = redis.block(caller.ctx());
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
        } while (node.isMember(id));
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
