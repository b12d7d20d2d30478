package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The module's and Ratis's lines go to Redis's log, tagged and filtered by raft.loglevel. */
class LoggingTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void moduleAndRatisLinesReachTheRedisLog() {
        RedisNode n = servers.cluster(1, "--loglevel", "verbose", "--raft.loglevel", "verbose").node(0);
        String log = n.log();
        assertTrue(log.contains("<raft> Raft server started"), log);
        assertTrue(log.contains("<raft> ratis: "), "Ratis lines (verbose) should be in the log:\n" + log);
    }

    @Test
    void loglevelFiltersLines() {
        RedisNode n = servers.cluster(1, "--raft.loglevel", "warning").node(0);
        assertFalse(n.log().contains("<raft> Raft server started"), n.log());
        assertEquals("OK", n.call("CONFIG", "SET", "raft.loglevel", "notice"));
        assertEquals("OK", n.call("CONFIG", "SET", "raft.loglevel", "warning"));
    }

    @Test
    void daemonizedServerStillLogsToItsLogfile() throws IOException {
        RedisNode n = servers.node("--daemonize", "yes", "--pidfile", "redis.pid");
        n.start();
        // The launched process forks and exits; the daemon keeps running on the port.
        Path pidFile = n.dir().resolve("redis.pid");
        try {
            RaftCluster.awaitTrue(RaftCluster.READY, () -> n.log().contains("not part of a Raft cluster yet"),
                    "module line in the daemon's log");
            Object init = n.call("RAFT.CLUSTER", "INIT");
            assertTrue(init.toString().startsWith("OK"), init.toString());
            RaftCluster.awaitTrue(RaftCluster.READY, () -> n.log().contains("<raft> initialised cluster"),
                    "INIT logged");
        } finally {
            // The daemon is not our child: stop it by the pid it wrote.
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void mainThreadHandOffRunsTasksInOrderOnTheMainThread() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals(20000L, n.call("RAFT.DEBUG", "HANDOFF", "5000"));
    }
}
