package io.redisraft.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** A node's whole dataset, read locally with RAFT.DEBUG EXEC (no Raft involved), for comparisons. */
public final class Datasets {
    private Datasets() {}

    /**
     * Redis's digest of the node's whole dataset (DEBUG DIGEST: every key, its value and
     * its stored deadline), taken as stored: keys past their deadline but not yet
     * deleted by the log count too, so nodes that applied the same entries agree.
     */
    public static String digest(RedisNode node) {
        return String.valueOf(node.call("RAFT.DEBUG", "EXEC", "DEBUG", "DIGEST"));
    }

    /**
     * Each running node's digest ("applied index:digest"), all taken at one applied index
     * every node stood at (a node's digest counts only if its index did not move while it
     * was taken; the leader's expiry sweep may still append entries, so this is retried);
     * empty if the nodes never stood at one index within {@code patience}.
     */
    public static Optional<Map<String, String>> digestsAtOneIndex(RaftCluster cluster, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            cluster.awaitConverged();
            Set<String> indexes = new TreeSet<>();
            Map<String, String> digests = new TreeMap<>();
            for (RedisNode n : cluster.running()) {
                String before = n.info("raft_last_applied_index");
                String digest = digest(n);
                String after = n.info("raft_last_applied_index");
                if (!before.equals(after)) continue;
                indexes.add(after);
                digests.put(n.toString(), after + ":" + digest);
            }
            if (indexes.size() == 1 && digests.size() == cluster.running().size()) return Optional.of(digests);
            RedisNode.sleep(200);
        }
        return Optional.empty();
    }

    /** Every given node holds exactly the same data as the first one, deadlines included. */
    public static void assertIdentical(List<RedisNode> nodes) {
        RedisNode first = nodes.get(0);
        String expected = digest(first);
        for (RedisNode n : nodes.subList(1, nodes.size())) {
            if (expected.equals(digest(n))) continue;
            assertSame(of(first), of(n), "dataset of " + n + " against " + first + " (DEBUG DIGEST differs)");
            throw new AssertionError("DEBUG DIGEST of " + n + " differs from " + first + "'s, although no key differs "
                    + "(a deadline may have passed between the two reads)");
        }
    }

    /** Fails with a short description of the differences (not the whole datasets). */
    public static void assertSame(Map<String, String> expected, Map<String, String> actual, String what) {
        if (expected.equals(actual)) return;
        StringBuilder sb = new StringBuilder(what + ": " + expected.size() + " keys expected, " + actual.size()
                + " found; first differences:");
        int shown = 0;
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            if (Objects.equals(expected.get(k), actual.get(k))) continue;
            sb.append("\n  ").append(k).append(": expected ").append(abbreviate(expected.get(k)))
                    .append(", found ").append(abbreviate(actual.get(k)));
            if (++shown == 8) break;
        }
        throw new AssertionError(sb.toString());
    }

    private static String abbreviate(String s) {
        return s == null ? "(missing)" : s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /**
     * key -> type and content, in an order-independent form (sets and hashes sorted:
     * their internal order differs between processes), plus its absolute deadline if any.
     */
    public static Map<String, String> of(RedisNode node) {
        Map<String, String> data = new TreeMap<>();
        try (Jedis j = node.client()) {
            List<String> keys = new ArrayList<>();
            for (Object k : (List<?>) j.sendCommand(DEBUG, "EXEC", "KEYS", "*")) {
                keys.add(new String((byte[]) k, StandardCharsets.UTF_8));
            }
            Pipeline types = j.pipelined();
            List<Response<Object>> typeReplies = new ArrayList<>();
            for (String k : keys) typeReplies.add(types.sendCommand(DEBUG, "EXEC", "TYPE", k));
            types.sync();
            Pipeline values = j.pipelined();
            List<Response<Object>> valueReplies = new ArrayList<>();
            List<Response<Object>> ttlReplies = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String type = Commands.plain(typeReplies.get(i).get()).toString();
                valueReplies.add(values.sendCommand(DEBUG, read(type, keys.get(i))));
                ttlReplies.add(values.sendCommand(DEBUG, "EXEC", "PEXPIRETIME", keys.get(i)));
            }
            values.sync();
            for (int i = 0; i < keys.size(); i++) {
                String type = Commands.plain(typeReplies.get(i).get()).toString();
                if (type.equals("none")) continue; // expired meanwhile
                Object value = Commands.plain(valueReplies.get(i).get());
                if (value instanceof List<?> list && (type.equals("set") || type.equals("hash"))) {
                    value = canonical(type, list);
                }
                long deadline = (Long) ttlReplies.get(i).get();
                data.put(keys.get(i), type + ":" + value + (deadline >= 0 ? " expires at " + deadline : ""));
            }
        }
        return data;
    }

    private static final redis.clients.jedis.commands.ProtocolCommand DEBUG = Commands.named("RAFT.DEBUG");

    private static String[] read(String type, String key) {
        return switch (type) {
            case "string" -> new String[] {"EXEC", "GET", key};
            case "list" -> new String[] {"EXEC", "LRANGE", key, "0", "-1"};
            case "set" -> new String[] {"EXEC", "SMEMBERS", key};
            case "zset" -> new String[] {"EXEC", "ZRANGE", key, "0", "-1", "WITHSCORES"};
            case "hash" -> new String[] {"EXEC", "HGETALL", key};
            default -> new String[] {"EXEC", "DUMP", key};
        };
    }

    private static String canonical(String type, List<?> items) {
        List<String> parts = new ArrayList<>();
        if (type.equals("hash")) {
            for (int i = 0; i + 1 < items.size(); i += 2) parts.add(items.get(i) + "=" + items.get(i + 1));
        } else {
            for (Object o : items) parts.add(String.valueOf(o));
        }
        Collections.sort(parts);
        return parts.toString();
    }
}
