package io.redisraft.bridge;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * The functions the C shim exports to Java (the {@code rr_*} symbols), bound with
 * jnr-ffi by the shim's absolute path. Unless marked "any thread", a function may
 * only be called on the Redis main thread, i.e. from code that C called into or
 * from a task run by {@link MainThread}.
 */
@IgnoreError
public interface Shim {
    /** Flags of {@link #rr_set_command_flags}; the same values are in filter.c. */
    int CMD_INTERCEPT = 1;
    int CMD_BY_SUBCOMMAND = 2;
    int CMD_NONDETERMINISTIC = 4;

    /** Modes of {@link #rr_execute}; the same values are in exec.c. */
    int EXEC_APPLYING = 1;
    int EXEC_DIRECT = 2;

    /** Any thread. level: 0 debug, 1 verbose, 2 notice, 3 warning. */
    void rr_log(int level, String message);

    /** Any thread: have Redis call {@code ModuleBridge.drain()} on its main thread soon. */
    void rr_wakeup();

    int rr_register_config(int id, String name, int type, String defaultString, long defaultNumber, long min,
                           long max, int flags, String enumSpec);

    void rr_clear_command_flags();

    int rr_set_command_flags(String name, int flags);

    long rr_block_client(long ctx);

    void rr_reply_resp(long ctx, @In byte[] resp, int len);

    /** Any thread. */
    void rr_unblock_resp(long blockedClient, @In byte[] resp, int len);

    int rr_execute(@In byte[] buffer, int offset, int len, @In long[] targets, int targetCount, int mode);

    Pointer rr_call(@In byte[] command, int len, @Out IntByReference outLen);

    void rr_free(Pointer p);

    void rr_info_section(long infoCtx, String name);

    void rr_info_field(long infoCtx, String name, String value);

    void rr_set_applied(long index, long term);

    void rr_set_metadata_blob(@In byte[] blob, int len);

    int rr_loaded_metadata(@Out LongLongByReference index, @Out LongLongByReference term,
                           @Out PointerByReference blob, @Out IntByReference len);

    int rr_fork_snapshot(String stagingDir);

    int rr_kill_fork_child(int pid);

    int rr_reload_rdb();
}
