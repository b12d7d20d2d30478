package io.redisraft.config;

/** Redis settings replication through Raft cannot work with, checked at load and on CONFIG SET. */
public final class RedisSettingRules {
    private RedisSettingRules() {}

    /** Why this maxmemory-policy is refused, or null: with eviction each node would evict different keys. */
    public static String evictionProblem(String policy) {
        if (policy == null || policy.equalsIgnoreCase("noeviction")) return null;
        return "maxmemory-policy " + policy + " would make each node evict different keys; "
                + "Raft replication needs maxmemory-policy noeviction";
    }
}
