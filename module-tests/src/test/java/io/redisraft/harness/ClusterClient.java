package io.redisraft.harness;

import io.redisraft.harness.Commands.ReplyError;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A client of the whole cluster, like a cluster-aware Redis client: it keeps one
 * connection, follows -MOVED to the leader and retries while there is no leader.
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
    private Jedis connection;
    private String address;

    public ClusterClient(List<RedisNode> nodes, Duration retryFor, int timeoutMs) {
        this.nodes = nodes;
        this.retryFor = retryFor;
        this.timeoutMs = timeoutMs;
    }

    /** Runs a command, retrying only while it certainly did not run (redirects, no leader, no connection). */
    public Outcome call(String... command) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        int next = 0;
        while (true) {
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
                reply = Commands.call(connection, command);
            } catch (JedisConnectionException e) {
                // The command may or may not have been received and applied.
                dropConnection();
                return new Outcome(Status.UNKNOWN, e.getMessage());
            }
            if (!(reply instanceof ReplyError err)) return new Outcome(Status.OK, reply);
            switch (err.code()) {
                case "MOVED" -> {
                    dropConnection();
                    address = err.message().split(" ")[2];
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
