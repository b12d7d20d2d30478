package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SHUTDOWN and SIGTERM still run Redis's own shutdown and stop the Java side cleanly. */
class ShutdownTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void shutdownNosaveExitsCleanly() {
        RedisNode n = servers.cluster(1).node(0);
        assertEquals("OK", n.call("SET", "k", "v"));
        try {
            n.call("SHUTDOWN", "NOSAVE");
        } catch (Exception connectionClosed) {
            // the server closes the connection as it exits
        }
        assertTrue(n.waitExit(30), n.logTail(20));
        assertEquals(0, n.exitCode());
        assertTrue(n.log().contains("Redis is now ready to exit, bye bye"));
        assertEquals(List.of(), n.crashFiles());
    }

    @Test
    void sigtermRunsRedisShutdown() {
        RedisNode n = servers.cluster(1).node(0);
        assertEquals(0, n.terminate());
        String log = n.log();
        assertTrue(log.contains("Received SIGTERM scheduling shutdown"), log);
        assertTrue(log.contains("Redis is now ready to exit, bye bye"), log);
        assertEquals(List.of(), n.crashFiles());
    }

    @Test
    void uninitialisedNodeStopsCleanly() {
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals(0, n.terminate());
        assertEquals(List.of(), n.crashFiles());
    }
}
