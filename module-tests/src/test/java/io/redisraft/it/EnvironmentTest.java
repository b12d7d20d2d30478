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
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
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
        n.withModule(so).start();
        assertRefused(n, "the module jar is missing");
    }

    /** The build's class-data archive (scripts/cds-archive.sh) is mapped by every node. */
    @Test
    void theClassArchiveOfTheBuildIsUsed() throws IOException {
        Path archive = RedisNode.modulePath().resolveSibling("redisraft.jsa");
        assertTrue(Files.exists(archive) && Files.exists(archive.resolveSibling("redisraft.jsa.key")),
                "the build made no class-data archive next to " + RedisNode.modulePath()
                        + " (scripts/cds-archive.sh says why in the build's output)");
        RedisNode n = servers.node().start().awaitReady(RaftCluster.READY);
        assertEquals(archive.toRealPath().toString(), n.info("raft_jvm_class_archive"));
    }

    /**
     * An archive is valid only for the jars it was made from, where they were: a copy of the
     * build's output elsewhere boots without it and serves. HotSpot, given a stale archive,
     * would share no class at all; the shim passes none, so the JDK's own archive still serves.
     */
    @Test
    void aCopiedModuleStartsWithoutTheArchive() throws IOException {
        RedisNode n = servers.node();
        Path built = RedisNode.modulePath().getParent();
        Path copy = n.dir().resolve("copy");
        Files.createDirectories(n.dir());
        try (Stream<Path> files = Files.walk(built)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Files.copy(from, copy.resolve(built.relativize(from).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        n.withModule(copy.resolve("redisraft.so")).start().awaitReady(RaftCluster.READY);
        assertEquals("jdk", n.info("raft_jvm_class_archive"), "the JDK's own class sharing stays on");
        assertTrue(String.valueOf(n.call("RAFT.CLUSTER", "INIT")).startsWith("OK"));
        RaftCluster.awaitTrue(RaftCluster.READY, () -> "OK".equals(String.valueOf(n.call("SET", "k", "v"))), "a write");
    }
}
