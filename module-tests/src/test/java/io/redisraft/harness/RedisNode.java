package io.redisraft.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * One redis-server process with the module loaded, listening on 127.0.0.1, with its
 * own directory (data, Raft log, log file). The binary is /usr/bin/redis-server
 * unless the system property redis.server or the environment variable REDIS_SERVER
 * names another; the module is the system property redisraft.module.
 */
public final class RedisNode {
    private final String name;
    private final String host;
    private final int port;
    private final Path dir;
    private final List<String> args;
    private final List<String> launcher;
    /** TLS only on the port (and between nodes), or null. */
    private final Tls tls;
    private Process process;
    /** The module this node loads, when not the one of -Dredisraft.module. */
    private Path module;

    /** A node on 127.0.0.1. */
    RedisNode(String name, Path dir, int port, List<String> args, Tls tls) {
        this(name, dir, "127.0.0.1", port, args, List.of(), tls);
    }

    /** A node on {@code host}, started through {@code launcher} (e.g. ip netns exec ns). */
    RedisNode(String name, Path dir, String host, int port, List<String> args, List<String> launcher, Tls tls) {
        this.name = name;
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.args = args;
        this.launcher = launcher;
        this.tls = tls;
    }

    public static String redisServerBinary() {
        String fromProperty = System.getProperty("redis.server");
        if (fromProperty != null && !fromProperty.isEmpty()) return fromProperty;
        String fromEnv = System.getenv("REDIS_SERVER");
        return fromEnv != null && !fromEnv.isEmpty() ? fromEnv : "/usr/bin/redis-server";
    }

    public static Path modulePath() {
        String path = System.getProperty("redisraft.module");
        if (path == null || path.isEmpty()) throw new IllegalStateException("set -Dredisraft.module=<path to redisraft.so>");
        return Path.of(path);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    public Path dir() {
        return dir;
    }

    public Path logFile() {
        return dir.resolve("redis.log");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Loads the module from {@code so} (a copy elsewhere, say) instead of -Dredisraft.module. */
    public RedisNode withModule(Path so) {
        this.module = so;
        return this;
    }

    /** Starts the process (again, after a stop or kill: same port and directory). */
    public RedisNode start() {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(redisServerBinary());
        cmd.addAll(tls == null ? List.of("--port", Integer.toString(port)) : tls.redisArgs(port));
        cmd.addAll(List.of("--bind", host, "--protected-mode", "no",
                "--dir", dir.toString(),
                "--logfile", logFile().toString(), "--save", "", "--appendonly", "no",
                "--loadmodule", (module != null ? module : modulePath()).toString(), "--raft.addr", address()));
        cmd.addAll(args);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
        Processes.started(this);
        return this;
    }

    /** Waits until the server answers PING (Redis may still be loading data: keeps trying). */
    public RedisNode awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "\n" + logTail(40));
            }
            try (Jedis j = jedis(1000)) {
                if ("PONG".equals(j.ping())) return this;
            } catch (Exception e) {
                // not listening yet or loading
            }
            sleep(50);
        }
        throw new IllegalStateException(name + " did not become ready in " + timeout + "\n" + logTail(40));
    }

    /** Deletes the node's Raft storage and RDB (the node must be stopped): it can only join anew. */
    public void wipeRaftState() {
        try {
            Files.deleteIfExists(dir.resolve("dump.rdb"));
            Servers.deleteTree(dir.resolve("redisraft.db"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot wipe " + this + ": " + e.getMessage(), e);
        }
    }

    /** A new connection (the caller closes it). */
    public Jedis client() {
        return jedis(10_000);
    }

    private Jedis jedis(int timeoutMs) {
        if (tls == null) return new Jedis(host, port, timeoutMs);
        return new Jedis(new HostAndPort(host, port), DefaultJedisClientConfig.builder().timeoutMillis(timeoutMs)
                .ssl(true).sslSocketFactory(tls.socketFactory()).hostnameVerifier((h, session) -> true).build());
    }

    /** Sends any command on a fresh connection; see {@link Commands#call}. */
    public Object call(String... command) {
        try (Jedis j = client()) {
            return Commands.call(j, command);
        }
    }

    /** As {@link #call}, for commands that may take long to answer (RAFT.CLUSTER JOIN). */
    public Object callSlow(Duration timeout, String... command) {
        try (Jedis j = jedis((int) timeout.toMillis())) {
            return Commands.call(j, command);
        }
    }

    /** Waits until exactly {@code count} clients are blocked here (INFO clients blocked_clients). */
    public void awaitBlockedClients(int count) {
        RaftCluster.awaitTrue(RaftCluster.READY,
                () -> String.valueOf(call("INFO", "clients")).contains("blocked_clients:" + count + "\r"),
                count + " blocked clients on " + this);
    }

    /** The fields of INFO raft. */
    public Map<String, String> info() {
        Map<String, String> fields = new HashMap<>();
        Object reply = call("INFO", "raft");
        if (!(reply instanceof String text)) return fields;
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }

    public String info(String field) {
        return info().get(field);
    }

    /** Whether this server's Redis is version {@code major.minor} or later (INFO server redis_version). */
    public boolean redisAtLeast(int major, int minor) {
        String server = String.valueOf(call("INFO", "server"));
        int at = server.indexOf("redis_version:");
        if (at < 0) throw new IllegalStateException("INFO server names no redis_version: " + server);
        String[] version = server.substring(at + "redis_version:".length()).split("[\\r\\n]")[0].split("\\.");
        int actualMajor = Integer.parseInt(version[0]);
        return actualMajor > major || (actualMajor == major && Integer.parseInt(version[1]) >= minor);
    }

    /** CONFIG GET pattern as a name → value map. */
    public Map<String, String> config(String pattern) {
        Map<String, String> values = new HashMap<>();
        List<?> flat = (List<?>) call("CONFIG", "GET", pattern);
        for (int i = 0; i + 1 < flat.size(); i += 2) values.put((String) flat.get(i), (String) flat.get(i + 1));
        return values;
    }

    /** SIGKILL: the process dies at once, nothing is flushed. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        waitExit(10);
    }

    /** SIGTERM: Redis's normal shutdown. Returns the exit code. */
    public int terminate() {
        process.destroy();
        if (!waitExit(30)) {
            kill();
            throw new IllegalStateException(name + " ignored SIGTERM\n" + logTail(30));
        }
        return process.exitValue();
    }

    /** Waits for the process to exit (after SHUTDOWN, for instance). */
    public boolean waitExit(int seconds) {
        try {
            boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
            if (exited) Processes.stopped(this);
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int exitCode() {
        return process.exitValue();
    }

    /** Files a crash would leave in the node's directory (JVM hs_err logs, core dumps). */
    public List<Path> crashFiles() {
        try (var files = Files.list(dir)) {
            return files.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith("hs_err_pid") || f.equals("core") || f.startsWith("core.");
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    private void signal(String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    public String logTail(int lines) {
        String[] all = log().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, all.length - lines); i < all.length; i++) sb.append(all[i]).append('\n');
        return sb.toString();
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + "(" + address() + ")";
    }
}
