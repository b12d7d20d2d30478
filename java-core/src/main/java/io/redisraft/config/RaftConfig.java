package io.redisraft.config;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Current values of the raft.* options. Redis sets them (config file, command line,
 * CONFIG SET) through the shim on its main thread; any thread may read them.
 */
public final class RaftConfig {
    static final String FROZEN_MESSAGE = "Configuration change is not allowed after init/join for this parameter";

    private final AtomicReferenceArray<Object> values = new AtomicReferenceArray<>(ConfigOption.values().length);
    private final List<Consumer<ConfigOption>> listeners = new CopyOnWriteArrayList<>();
    private final Map<ConfigOption, Function<String, String>> checks =
            new ConcurrentHashMap<>();
    private volatile BooleanSupplier clusterMember = () -> false;

    public RaftConfig() {
        for (ConfigOption o : ConfigOption.values()) {
            values.set(o.ordinal(), o.type() == ConfigOption.Type.STRING ? o.defaultString() : o.defaultNumber());
        }
    }

    /** Options of scope BEFORE_INIT are refused once this returns true. */
    public void setClusterMemberCheck(BooleanSupplier check) {
        clusterMember = check;
    }

    /**
     * A check of new values of {@code option} that needs more than the value itself (e.g.
     * other Redis settings): given the value in the shim's text encoding, it returns an error
     * message or null.
     */
    public void addCheck(ConfigOption option, Function<String, String> check) {
        checks.put(option, check);
    }

    /** Called after an option changed (on the thread that changed it). */
    public void addListener(Consumer<ConfigOption> listener) {
        listeners.add(listener);
    }

    /** Applies a value in the shim's text encoding; returns an error message or null. */
    public String set(ConfigOption option, String encoded) {
        Object value;
        if (option.type() == ConfigOption.Type.STRING) {
            String problem = option.validate(encoded);
            if (problem != null) return problem;
            value = encoded;
        } else {
            try {
                value = Long.parseLong(encoded);
            } catch (NumberFormatException e) {
                return option.fullName() + " must be a number";
            }
        }
        if (value.equals(values.get(option.ordinal()))) return null;
        if (option.scope() == ConfigOption.Scope.BEFORE_INIT && clusterMember.getAsBoolean()) return FROZEN_MESSAGE;
        var check = checks.get(option);
        String problem = check == null ? null : check.apply(encoded);
        if (problem != null) return problem;
        values.set(option.ordinal(), value);
        for (Consumer<ConfigOption> l : listeners) l.accept(option);
        return null;
    }

    /** The value in the shim's text encoding. */
    public String encoded(ConfigOption option) {
        return String.valueOf(values.get(option.ordinal()));
    }

    public String string(ConfigOption option) {
        return (String) values.get(option.ordinal());
    }

    public long number(ConfigOption option) {
        return (Long) values.get(option.ordinal());
    }

    public boolean flag(ConfigOption option) {
        return number(option) != 0;
    }

    /** Text of an option for display (enum names, yes/no). */
    public String display(ConfigOption option) {
        return switch (option.type()) {
            case STRING -> string(option);
            case BOOL -> flag(option) ? "yes" : "no";
            case NUMERIC -> Long.toString(number(option));
            case ENUM -> enumName(option, number(option));
        };
    }

    private static String enumName(ConfigOption option, long value) {
        for (String pair : option.enumSpec().split(",")) {
            String[] nv = pair.split(":");
            if (Long.parseLong(nv[1]) == value) return nv[0];
        }
        return Long.toString(value);
    }
}
