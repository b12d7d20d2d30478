package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The module loads into stock Redis and shows itself before any cluster exists. */
class ModuleLoadTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void moduleListShowsRaft() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        List<?> modules = (List<?>) n.call("MODULE", "LIST");
        assertEquals(1, modules.size());
        List<?> fields = (List<?>) modules.get(0);
        assertEquals("raft", fields.get(1));
    }

    @Test
    void infoRaftBeforeInitHasEveryFieldWithEmptyValues() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        String text = (String) n.call("INFO", "raft");
        for (String section : List.of("# raft_version", "# raft_general", "# raft_log", "# raft_snapshot",
                "# raft_clients", "# raft_stats")) {
            assertTrue(text.contains(section), section + " missing in\n" + text);
        }
        Map<String, String> info = n.info();
        assertEquals("", info.get("raft_dbid"));
        assertEquals("0", info.get("raft_node_id"));
        assertEquals("uninitialized", info.get("raft_state"));
        assertEquals("(none)", info.get("raft_role"));
        assertEquals("-", info.get("raft_is_voting"));
        assertEquals("-1", info.get("raft_leader_id"));
        assertEquals("0", info.get("raft_current_term"));
        assertEquals("0", info.get("raft_num_nodes"));
        assertEquals("0", info.get("raft_log_entries"));
        assertEquals("dump.rdb", info.get("raft_snapshot_filename"));
        assertEquals("-1", info.get("raft_snapshot_time_secs"));
        assertEquals("no", info.get("raft_snapshot_in_progress"));
        for (String f : List.of("raft_voted_for", "raft_num_voting_nodes", "raft_current_index", "raft_commit_index",
                "raft_last_applied_index", "raft_file_size", "raft_fsync_count", "raft_snapshot_last_idx",
                "raft_snapshots_created", "raft_proxy_reqs", "raft_appendreq_received", "raft_num_sessions")) {
            assertTrue(info.containsKey(f), f + " missing");
        }
    }

    @Test
    void commandsBeforeInitAreRefusedButLocalOnesWork() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals(new ReplyError("NOCLUSTER No Raft Cluster"), n.call("SET", "k", "v"));
        assertEquals(new ReplyError("NOCLUSTER No Raft Cluster"), n.call("GET", "k"));
        assertEquals("PONG", n.call("PING"));
        // As RedisRaft: the cluster state is checked before whether the command is supported.
        assertEquals(new ReplyError("NOCLUSTER No Raft Cluster"), n.call("BGSAVE"));
        assertEquals(new ReplyError("ERR RAFT.CLUSTER supports INIT / JOIN only"), n.call("RAFT.CLUSTER", "FOO"));
        assertEquals(new ReplyError("ERR cluster id must be 32 characters"), n.call("RAFT.CLUSTER", "INIT", "abc"));
    }
}
