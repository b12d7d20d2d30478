package io.redisraft.harness;

import io.redisraft.harness.Commands.ReplyError;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A client of the whole cluster, like a cluster-aware Redis client: it keeps one
 * connection, follows -MOVED to the leader (or to another shard group) and -ASK, and retries
 * while there is no leader or a slot is being moved (TRYAGAIN).
 * Each call reports whether the command certainly took effect, certainly did not,
 * or may have (a connection lost or "TIMEOUT not committed yet" after sending).
 */
public final class ClusterClient implements AutoCloseable {
    public enum Status { OK, FAILED, UNKNOWN }

    /** The outcome of one command. {@code value} is the reply for OK, the error for FAILED. */
    public record Outcome(Status status, Object value) {
        public boolean ok() {
            return status == Status.OK;
        }
    }

    private final List<RedisNode> nodes;
    private final Duration retryFor;
    private final int timeoutMs;
    private final boolean followRedirects;
    private Jedis connection;
    private String address;

    public ClusterClient(List<RedisNode> nodes, Duration retryFor, int timeoutMs) {
        this(nodes, retryFor, timeoutMs, true);
    }

    /**
     * A client that, without {@code followRedirects}, stays on its nodes: a -MOVED reply
     * is then a definite failure (the command did not run there).
     */
    public ClusterClient(List<RedisNode> nodes, Duration retryFor, int timeoutMs, boolean followRedirects) {
        this.nodes = nodes;
        this.retryFor = retryFor;
        this.timeoutMs = timeoutMs;
        this.followRedirects = followRedirects;
    }

    /** Runs a command, retrying only while it certainly did not run (redirects, no leader, no connection). */
    public Outcome call(String... command) {
        return run(j -> Commands.call(j, command));
    }

    /**
     * Runs MULTI, the commands, EXEC on one connection; the OK value is EXEC's reply.
     * Redirects come back at EXEC (MULTI and queuing are accepted anywhere).
     */
    public Outcome transaction(List<String[]> commands) {
        return run(j -> {
            Object multi = Commands.call(j, "MULTI");
            if (multi instanceof ReplyError) return multi;
            for (String[] c : commands) {
                Object queued = Commands.call(j, c);
                if (queued instanceof ReplyError e) {
                    Commands.call(j, "DISCARD");
                    return e;
                }
            }
            return Commands.call(j, "EXEC");
        });
    }

    private Outcome run(Function<Jedis, Object> operation) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        int next = 0;
        String askAt = null;
        while (true) {
            if (askAt != null) {
                // -ASK: this one command goes to the importing node, after ASKING (sharding).
                Object reply;
                String[] hp = askAt.split(":");
                askAt = null;
                try (Jedis j = new Jedis(hp[0], Integer.parseInt(hp[1]), timeoutMs)) {
                    Commands.call(j, "ASKING");
                    reply = operation.apply(j);
                } catch (JedisConnectionException e) {
                    return new Outcome(Status.UNKNOWN, e.getMessage());
                }
                if (!(reply instanceof ReplyError err)) return new Outcome(Status.OK, reply);
                switch (err.code()) {
                    case "MOVED", "ASK", "CLUSTERDOWN", "TRYAGAIN" -> RedisNode.sleep(20); // not run: again from the start
                    case "TIMEOUT" -> {
                        return new Outcome(Status.UNKNOWN, err.message());
                    }
                    default -> {
                        return new Outcome(Status.FAILED, err);
                    }
                }
                if (System.nanoTime() > deadline) return new Outcome(Status.FAILED, err);
                continue;
            }
            if (connection == null) {
                if (address == null) address = nodes.get(next++ % nodes.size()).address();
                try {
                    String[] hp = address.split(":");
                    Jedis j = new Jedis(hp[0], Integer.parseInt(hp[1]), timeoutMs);
                    j.connect();
                    connection = j;
                } catch (JedisConnectionException e) {
                    address = null;
                    if (System.nanoTime() > deadline) return new Outcome(Status.FAILED, "no node reachable");
                    RedisNode.sleep(50);
                    continue;
                }
            }
            Object reply;
            try {
                reply = operation.apply(connection);
            } catch (JedisConnectionException e) {
                // The command may or may not have been received and applied.
                dropConnection();
                return new Outcome(Status.UNKNOWN, e.getMessage());
            }
            if (!(reply instanceof ReplyError err)) return new Outcome(Status.OK, reply);
            switch (err.code()) {
                case "MOVED" -> {
                    if (!followRedirects) return new Outcome(Status.FAILED, err);
                    dropConnection();
                    address = err.message().split(" ")[2];
                }
                case "ASK" -> {
                    if (!followRedirects) return new Outcome(Status.FAILED, err);
                    askAt = err.message().split(" ")[2];
                }
                case "CLUSTERDOWN", "NOCLUSTER", "LOADING", "TRYAGAIN" -> {
                    dropConnection();
                    address = null;
                    RedisNode.sleep(50);
                }
                case "TIMEOUT" -> {
                    dropConnection();
                    return new Outcome(Status.UNKNOWN, err.message());
                }
                default -> {
                    return new Outcome(Status.FAILED, err);
                }
            }
            if (System.nanoTime() > deadline) return new Outcome(Status.FAILED, err);
        }
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // already broken
            }
        }
        connection = null;
    }

    @Override
    public void close() {
        dropConnection();
    }
}
