package io.redisraft;

import io.redisraft.bridge.RedisApi;
import io.redisraft.config.RedisSettingRules;
import io.redisraft.logging.RedisLog;

/**
 * Redis settings that cannot work with Raft replication. Raft owns durability (its
 * log plus RDB snapshots it takes itself) and is the only replication, so Redis's
 * cluster mode and AOF are refused, and RDB save points are switched off as
 * RedisRaft does. Eviction is refused too: each node would evict different keys
 * (CONFIG SET refuses it later on, see commands.ClientCommands).
 */
public final class EnvironmentCheck {
    private EnvironmentCheck() {}

    /** Returns why the module cannot run here, or null; may adjust settings it can fix. */
    public static String check(RedisApi redis) {
        if ("yes".equals(redis.config("cluster-enabled"))) {
            return "Redis Cluster mode is enabled (cluster-enabled yes); Raft replication needs cluster-enabled no";
        }
        if ("yes".equals(redis.config("appendonly"))) {
            return "appendonly yes would replay writes a second time after the Raft log; set appendonly no";
        }
        String eviction = RedisSettingRules.evictionProblem(redis.config("maxmemory-policy"));
        if (eviction != null) return eviction;
        String dbfilename = redis.config("dbfilename");
        if (dbfilename == null || dbfilename.isEmpty()) {
            return "dbfilename is empty; Raft snapshots are stored there";
        }
        String save = redis.config("save");
        if (save != null && !save.isEmpty()) {
            redis.call("CONFIG", "SET", "save", "");
            RedisLog.notice("RDB save points disabled (save \"\", was \"" + save + "\"): snapshots are taken by Raft");
        }
        return null;
    }
}
