package io.redisraft.bridge;

import io.redisraft.RaftModule;
import io.redisraft.config.RaftConfig;
import io.redisraft.health.FatalErrors;
import io.redisraft.info.InfoSink;
import io.redisraft.logging.RedisLog;
import io.redisraft.resp.Resp;
import jnr.ffi.LibraryLoader;

/**
 * The static methods the shim calls through JNI, always on the Redis main thread.
 * Nothing may escape from here into Redis: every failure is logged (and, for a
 * command, answered with an error).
 */
public final class ModuleBridge {
    private static Shim shim;
    private static MainThread mainThread;
    private static RaftConfig config;
    private static volatile RaftModule module;

    private ModuleBridge() {}

    /** First call: binds the shim's exports and declares the raft.* options. Returns an error or null. */
    public static String boot(String shimPath) {
        try {
            shim = LibraryLoader.create(Shim.class).load(shimPath);
            RedisLog.bind(shim::rr_log);
            mainThread = new MainThread(shim);
            mainThread.bindToCurrentThread();
            config = new RaftConfig();
            RedisApi redis = new RedisApi(shim);
            RaftModule.addConfigChecks(config, redis);
            ConfigRegistration.registerAll(shim);
            return null;
        } catch (Throwable t) {
            return "cannot initialise the Java side: " + t;
        }
    }

    /** After Redis applied the configured option values. Returns an error or null. */
    public static String configsLoaded() {
        try {
            module = RaftModule.start(new RedisApi(shim), mainThread, config);
            return null;
        } catch (Throwable t) {
            RedisLog.verbose(RedisLog.describe(t));
            return t.getMessage() != null ? t.getMessage() : t.toString();
        }
    }

    public static String configSet(int id, String value) {
        try {
            return config.set(ConfigRegistration.byId(id), value);
        } catch (Throwable t) {
            RedisLog.warning("CONFIG SET failed: " + RedisLog.describe(t));
            return "internal error: " + t;
        }
    }

    public static String configGet(int id) {
        try {
            return config.encoded(ConfigRegistration.byId(id));
        } catch (Throwable t) {
            RedisLog.warning("CONFIG GET failed: " + RedisLog.describe(t));
            return null;
        }
    }

    public static void command(long ctx, long clientId, int contextFlags, int security, int db, byte[][] argv) {
        RaftModule m = module;
        try {
            if (m == null) throw new IllegalStateException("module not initialised");
            m.command(ctx, clientId, contextFlags, security, db, argv);
        } catch (Throwable t) {
            failed(ctx, "command", t);
        }
    }

    /** {@code access}: the command checked against the running unit's script user (security.Access codes). */
    public static void internalCall(long ctx, long nowMs, boolean applying, int access, byte[][] argv) {
        RaftModule m = module;
        try {
            if (m == null) throw new IllegalStateException("module not initialised");
            m.internalCall(ctx, nowMs, applying, access, argv);
        } catch (Throwable t) {
            failed(ctx, "internal call", t);
        }
    }

    private static void failed(long ctx, String what, Throwable t) {
        RedisLog.warning(what + " failed: " + RedisLog.describe(t));
        FatalErrors.report(t, what);
        new RedisApi(shim).reply(ctx, Resp.error("ERR internal error in the Raft module: " + t));
    }

    public static void drain() {
        mainThread.drain();
    }

    public static void info(long infoCtx) {
        RaftModule m = module;
        if (m == null) return;
        try {
            m.info(new InfoSink() {
                @Override
                public void section(String name) {
                    shim.rr_info_section(infoCtx, name);
                }

                @Override
                public void field(String name, String value) {
                    shim.rr_info_field(infoCtx, name, value);
                }
            });
        } catch (Throwable t) {
            RedisLog.warning("INFO raft failed: " + RedisLog.describe(t));
        }
    }

    public static void clientConnected(long clientId) {
        RaftModule m = module;
        if (m != null) run(() -> m.clientConnected(clientId), "client connection");
    }

    public static void clientDisconnected(long clientId) {
        RaftModule m = module;
        if (m != null) run(() -> m.clientDisconnected(clientId), "client disconnect");
    }

    public static void serverReady() {
        RaftModule m = module;
        if (m != null) run(m::serverReady, "server start");
    }

    public static void shutdown() {
        RaftModule m = module;
        if (m != null) run(m::shutdown, "shutdown");
    }

    public static void forkDone(int exitCode, int bySignal) {
        RaftModule m = module;
        if (m != null) run(() -> m.forkDone(exitCode, bySignal), "fork completion");
    }

    private static void run(Runnable action, String what) {
        try {
            action.run();
        } catch (Throwable t) {
            RedisLog.warning(what + " failed: " + RedisLog.describe(t));
            FatalErrors.report(t, what);
        }
    }
}
