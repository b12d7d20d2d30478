package io.redisraft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import io.redisraft.harness.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Environments the module cannot work in are refused with one clear log line and no crash. */
class EnvironmentTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static void assertRefused(RedisNode n, String expectedInLog) {
        assertTrue(n.waitExit(60), n + " should have refused to start\n" + n.logTail(20));
        assertNotEquals(0, n.exitCode());
        String log = n.log();
        assertTrue(log.contains("<raft> refusing to load"), log);
        assertTrue(log.contains(expectedInLog), "expected '" + expectedInLog + "' in\n" + log);
        assertEquals(List.of(), n.crashFiles());
    }

    @Test
    void clusterModeIsRefused() {
        RedisNode n = servers.node("--cluster-enabled", "yes").start();
        assertRefused(n, "cluster-enabled");
    }

    @Test
    void appendOnlyIsRefused() {
        RedisNode n = servers.node("--appendonly", "yes").start();
        assertRefused(n, "appendonly");
    }

    @Test
    void savePointsAreSwitchedOff() {
        RedisNode n = servers.node("--save", "900 1").start().awaitReady(RaftCluster.READY);
        assertEquals(List.of("save", ""), n.call("CONFIG", "GET", "save"));
        assertTrue(n.log().contains("RDB save points disabled"));
    }

    @Test
    void missingJavaHomeIsRefused() {
        RedisNode n = servers.node("--raft.java-home", "/nonexistent/jdk").start();
        assertRefused(n, "cannot find the JVM library /nonexistent/jdk/lib/server/libjvm.so");
    }

    @Test
    void invalidJvmOptionIsRefused() {
        RedisNode n = servers.node("--raft.jvm-options", "-XX:+NoSuchJvmOption").start();
        assertRefused(n, "JNI_CreateJavaVM failed");
    }

    @Test
    void missingJarIsRefused() throws IOException {
        RedisNode n = servers.node();
        Path lonely = n.dir().resolve("lonely");
        Files.createDirectories(lonely);
        Path so = Files.copy(RedisNode.modulePath(), lonely.resolve("redisraft.so"));
        Process p = new ProcessBuilder(RedisNode.redisServerBinary(), "--port", Integer.toString(n.port()),
                "--bind", "127.0.0.1", "--dir", n.dir().toString(), "--logfile", n.logFile().toString(),
                "--loadmodule", so.toString()).redirectErrorStream(true)
                .redirectOutput(n.dir().resolve("stdout.log").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            String log = n.log();
            assertTrue(log.contains("refusing to load: the module jar is missing"), log);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            p.destroyForcibly();
        }
    }
}
