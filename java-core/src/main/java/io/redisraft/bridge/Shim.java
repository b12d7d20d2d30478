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
    /** The module's own calls of the command go through RAFT._AS (see InternalCalls). */
    int CMD_WRAP = 8;
    /** ... only while a log entry is applied. */
    int CMD_WRAP_APPLYING = 16;
    /** ... only if an argument is one of the command's trigger words. */
    int CMD_WRAP_IF_ARG = 32;
    /** Wrapped as a write (RAFT._AS), else read-only (RAFT._AS_RO). */
    int CMD_WRITE = 64;
    /** Refused while a log entry is applied (SCRIPT KILL, FUNCTION KILL). */
    int CMD_UNKILLABLE = 128;
    /** Wrapped only while a log entry is applied and a script or function of it runs. */
    int CMD_WRAP_IN_SCRIPT = 256;
    /** SUBSCRIBE and the like: run natively only while no refusal is set (rr_set_subscribe_refusal). */
    int CMD_SUBSCRIBE = 512;
    /** Not intercepted, except for a client in a transaction ({@link #rr_set_in_transaction}; Redis 7.2+). */
    int CMD_QUEUED_IN_MULTI = 1024;

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

    int rr_set_command_flags(String name, int flags, String triggers);

    /** The error a client's SUBSCRIBE (SSUBSCRIBE, PSUBSCRIBE) gets now, or null to let it run. */
    void rr_set_subscribe_refusal(String error);

    /** Main thread: the client entered ({@code in} 1) or left (0) a transaction the module queues. */
    void rr_set_in_transaction(long clientId, int in);

    long rr_block_client(long ctx);

    void rr_reply_resp(long ctx, @In byte[] resp, int len);

    /** Selects the database of the client of a module command (it keeps it after the command); 0 if done. */
    int rr_select_db(long ctx, int db);

    /** Any thread. */
    void rr_unblock_resp(long blockedClient, @In byte[] resp, int len);

    /** targets[i] is set to 0 once unit i's client was answered; a target left is a client that keeps waiting. */
    int rr_execute(@In byte[] buffer, int offset, int len, @In @Out long[] targets, int targetCount, int mode,
                   long nowMs, long index);

    /** 1 while a unit with UNIT_MAY_WAIT runs whose client waits on this node. */
    int rr_unit_may_wait();

    /** 1 if a command of the unit names a key whose logical deadline is before nowMs, 0 if not, -1 if malformed. */
    int rr_unit_has_due_keys(@In byte[] unit, int len, long nowMs);

    /** Runs an encoded command bypassing the module; the reply in RESP2, release with rr_free. */
    Pointer rr_call_in_db(int db, @In byte[] command, int len, @Out IntByReference outLen);

    /**
     * Applying an entry: rr_call_in_db for a command whose argument idleArg is a min-idle-time,
     * shifted by how far Redis's clock is past entryTimeMs (XCLAIM, XAUTOCLAIM).
     */
    Pointer rr_call_at_entry_time(int db, @In byte[] command, int len, int idleArg, long entryTimeMs,
                                  @Out IntByReference outLen);

    /** RedisModule_GetContextFlags of a command's context. */
    int rr_context_flags(long ctx);

    /** RedisModule_GetServerVersion: 0x00MMmmpp. */
    int rr_server_version();

    /** Inside RAFT._AS: runs an encoded command bypassing the module and forwards its reply. */
    void rr_call_and_reply(long ctx, @In byte[] command, int len, int asUnitUser);

    /** Deletes the keys of an encoded command whose logical deadline is before nowMs. */
    void rr_expire_command_keys(@In byte[] command, int len, long nowMs);

    /** What changed after log index since: 1 = the key (or one sharing its slot), 2 = its whole database. */
    int rr_changed_since(int db, @In byte[] key, int len, long since);

    /** For an encoded command whose arguments are key names: due[i] = 1 if argument i+1 is past its deadline. */
    void rr_due_keys_mask(int db, @In byte[] command, int len, long nowMs, @Out byte[] due);

    /** Continues the scan for expired keys over about budget keys; RESP array, release with rr_free. */
    Pointer rr_scan_due_keys(int db, int budget, long nowMs, @Out IntByReference outLen);

    void rr_set_expiry_shift(long shift);

    /** Inside a module command: the client's ACL user name (release with rr_free). */
    Pointer rr_client_user(long ctx);

    /** Inside a module command: authenticates its client as an ACL user; 0 on success. */
    int rr_authenticate(long ctx, String user);

    /** Inside a module command: hides argument pos of the client's command from SLOWLOG and MONITOR. */
    void rr_redact(long ctx, int pos);

    void rr_free(Pointer p);

    void rr_info_section(long infoCtx, String name);

    void rr_info_field(long infoCtx, String name, String value);

    void rr_set_applied(long index, long term);

    void rr_set_metadata_blob(@In byte[] blob, int len);

    int rr_loaded_metadata(@Out LongLongByReference index, @Out LongLongByReference term,
                           @Out PointerByReference blob, @Out IntByReference len);

    /** Exit code of a snapshot child failed on purpose (raft.snapshot-fail); the same value is in snapshot.c. */
    int SNAPSHOT_CHILD_FAILED_ON_PURPOSE = 2;

    int rr_fork_snapshot(String stagingDir, int delaySeconds, int fail);

    /** raft.log-delay-apply: microseconds to wait before executing each unit (a test hook). */
    void rr_set_apply_delay(long microseconds);

    int rr_kill_fork_child(int pid);

    int rr_reload_rdb();
}
