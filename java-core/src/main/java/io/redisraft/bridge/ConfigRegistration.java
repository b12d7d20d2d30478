package io.redisraft.bridge;

import io.redisraft.config.ConfigOption;

/** Declares every Java-owned raft.* option to Redis through the shim (during OnLoad). */
final class ConfigRegistration {
    private ConfigRegistration() {}

    static void registerAll(Shim shim) {
        for (ConfigOption o : ConfigOption.values()) {
            int rc = shim.rr_register_config(o.ordinal(), o.shortName(), o.type().ordinal(), o.defaultString(),
                    o.defaultNumber(), o.min(), o.max(), o.flags(), o.enumSpec());
            if (rc != 0) throw new IllegalStateException("Redis refused to register " + o.fullName());
        }
    }

    static ConfigOption byId(int id) {
        ConfigOption[] all = ConfigOption.values();
        if (id < 0 || id >= all.length) throw new IllegalArgumentException("unknown option id " + id);
        return all[id];
    }
}
