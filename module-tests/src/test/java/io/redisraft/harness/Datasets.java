package io.redisraft.harness;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/** A node's whole dataset, read locally with RAFT.DEBUG EXEC (no Raft involved), for comparisons. */
public final class Datasets {
    private Datasets() {}

    /** key -> hex of DUMP plus whether the key has a TTL (exact TTLs differ by the time they are read). */
    public static Map<String, String> of(RedisNode node) {
        Map<String, String> data = new TreeMap<>();
        try (Jedis j = node.client()) {
            Object keys = j.sendCommand(Commands.named("RAFT.DEBUG"), "EXEC", "KEYS", "*");
            for (Object k : (List<?>) keys) {
                String key = new String((byte[]) k, StandardCharsets.UTF_8);
                Object dump = j.sendCommand(Commands.named("RAFT.DEBUG"), "EXEC", "DUMP", key);
                Object pttl = j.sendCommand(Commands.named("RAFT.DEBUG"), "EXEC", "PTTL", key);
                if (dump == null) continue; // expired between KEYS and DUMP
                data.put(key, HexFormat.of().formatHex((byte[]) dump) + ((Long) pttl >= 0 ? " +ttl" : ""));
            }
        }
        return data;
    }
}
