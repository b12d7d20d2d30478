package io.redisraft.bridge;

import io.redisraft.resp.Resp;
import io.redisraft.resp.RespReader;
import io.redisraft.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Typed access to Redis through the shim. Everything here runs on the Redis main
 * thread except {@link #unblock}, which any thread may call.
 */
public final class RedisApi {
    /** RedisModule_GetContextFlags: the caller speaks RESP3. */
    public static final int CONTEXT_RESP3 = 1 << 22;
    /** RedisModule_GetContextFlags: a script is running (the command is one of its calls). */
    public static final int CONTEXT_LUA = 1;

    private final Shim shim;

    public RedisApi(Shim shim) {
        this.shim = shim;
    }

    public Shim shim() {
        return shim;
    }

    /** Runs a command locally, bypassing the module's interception, and returns its reply. */
    public Resp call(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return call(bytes);
    }

    public Resp call(byte[][] argv) {
        return callInDb(-1, argv);
    }

    /** Runs a command locally in database {@code db} (-1: the one the module's context uses now). */
    public Resp callInDb(int db, byte[][] argv) {
        byte[] encoded = CommandCodec.encodeCommand(argv);
        IntByReference len = new IntByReference();
        Pointer reply = shim.rr_call_in_db(db, encoded, encoded.length, len);
        if (reply == null) return Resp.error("ERR command could not be run: " + CommandCodec.describe(argv));
        return takeResp(reply, len);
    }

    /**
     * Applying an entry of time {@code entryTimeMs}: runs XCLAIM / XAUTOCLAIM so that Redis measures
     * their min-idle-time (argument {@code idleArg}) at the entry's time, not at its own.
     */
    public Resp callAtEntryTime(byte[][] argv, int idleArg, long entryTimeMs) {
        byte[] encoded = CommandCodec.encodeCommand(argv);
        IntByReference len = new IntByReference();
        Pointer reply = shim.rr_call_at_entry_time(-1, encoded, encoded.length, idleArg, entryTimeMs, len);
        if (reply == null) return Resp.error("ERR command could not be run: " + CommandCodec.describe(argv));
        return takeResp(reply, len);
    }

    /** Whether a command's context is a script's call. */
    public boolean inScript(long ctx) {
        return (shim.rr_context_flags(ctx) & CONTEXT_LUA) != 0;
    }

    /** Whether the caller of a command's context (a client, or a script's call) speaks RESP3. */
    public boolean speaksResp3(long ctx) {
        return (shim.rr_context_flags(ctx) & CONTEXT_RESP3) != 0;
    }

    /** Reads and releases a RESP reply the shim allocated. */
    Resp takeResp(Pointer reply, IntByReference len) {
        try {
            byte[] proto = new byte[len.intValue()];
            reply.get(0, proto, 0, proto.length);
            return RespReader.parse(proto);
        } finally {
            shim.rr_free(reply);
        }
    }

    /** Reads and releases a C string the shim allocated. */
    String takeString(Pointer p) {
        if (p == null) return null;
        try {
            return p.getString(0, Integer.MAX_VALUE, StandardCharsets.UTF_8);
        } finally {
            shim.rr_free(p);
        }
    }

    /** Inside RAFT._AS: runs a command bypassing the module and sends its reply to the call's client as is. */
    public void callAndReply(long ctx, byte[][] argv, boolean asUnitUser) {
        byte[] encoded = CommandCodec.encodeCommand(argv);
        shim.rr_call_and_reply(ctx, encoded, encoded.length, asUnitUser ? 1 : 0);
    }

    /** Main thread: the keys Redis holds whose logical deadline is before nowMs, from the next ~budget keys scanned. */
    /** Keys of one database found past their deadline, and whether its scan went round once. */
    public record DueKeys(List<byte[]> keys, boolean scanComplete) {}

    /** Main thread, inside a client's command: selects its database for good; false if out of range. */
    public boolean selectDb(long ctx, int db) {
        return shim.rr_select_db(ctx, db) == 0;
    }

    /** Continues the expiry scan of database {@code db} over about {@code budget} keys. */
    public DueKeys scanDueKeys(int db, int budget, long nowMs) {
        IntByReference len = new IntByReference();
        List<Resp> reply = takeResp(shim.rr_scan_due_keys(db, budget, nowMs, len), len).asList();
        List<byte[]> keys = new ArrayList<>();
        for (Resp key : reply.get(1).asList()) keys.add(((Resp.Bulk) key).bytes());
        return new DueKeys(keys, ((Resp.Int) reply.get(0)).value() == 1);
    }

    /** Whether a command of the unit names a key whose logical deadline is before nowMs. */
    public boolean hasDueKeys(byte[] unit, long nowMs) {
        return shim.rr_unit_has_due_keys(unit, unit.length, nowMs) == 1;
    }

    /**
     * For each key of database {@code db} (-1: the one the module's context uses now),
     * whether it exists and its logical deadline is before nowMs.
     */
    public boolean[] dueKeys(int db, List<byte[]> keys, long nowMs) {
        byte[][] argv = new byte[keys.size() + 1][];
        argv[0] = new byte[0];
        for (int i = 0; i < keys.size(); i++) argv[i + 1] = keys.get(i);
        byte[] encoded = CommandCodec.encodeCommand(argv);
        byte[] mask = new byte[keys.size()];
        if (!keys.isEmpty()) shim.rr_due_keys_mask(db, encoded, encoded.length, nowMs, mask);
        boolean[] due = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) due[i] = mask[i] != 0;
        return due;
    }

    /** Deletes the keys of the command whose logical deadline is before nowMs. */
    public void expireKeysOf(byte[][] argv, long nowMs) {
        byte[] encoded = CommandCodec.encodeCommand(argv);
        shim.rr_expire_command_keys(encoded, encoded.length, nowMs);
    }

    /** Inside a module command: the ACL user of its client. */
    public String clientUser(long ctx) {
        String user = takeString(shim.rr_client_user(ctx));
        return user == null ? "default" : user;
    }

    /** Reads a server configuration value with CONFIG GET. */
    public String config(String name) {
        var items = call("CONFIG", "GET", name).asList();
        return items.size() == 2 ? items.get(1).asText() : null;
    }

    /** This Redis's version line. */
    public RedisVersion serverVersion() {
        return RedisVersion.of(shim.rr_server_version());
    }

    /** Replies to the client of a module command that is still running. */
    public void reply(long ctx, Resp value) {
        byte[] resp = RespWriter.encode(value);
        shim.rr_reply_resp(ctx, resp, resp.length);
    }

    /** Keeps the client of the running module command waiting; see {@link #unblock}. */
    public BlockedClient block(long ctx) {
        return new BlockedClient(shim.rr_block_client(ctx));
    }

    /** Any thread: replies to a blocked client and releases it. */
    public void unblock(BlockedClient client, Resp value) {
        byte[] resp = RespWriter.encode(value);
        shim.rr_unblock_resp(client.handle(), resp, resp.length);
    }

    /**
     * Executes the encoded command units in buffer[offset, offset + len); targets[i] gets the reply of unit i.
     * nowMs and index are the time and log index of an applied entry (ignored unless mode has EXEC_APPLYING).
     */
    public int execute(byte[] buffer, int offset, int len, long[] targets, int mode, long nowMs, long index) {
        return shim.rr_execute(buffer, offset, len, targets, targets.length, mode, nowMs, index);
    }

    /** Whether an entry applied after log index {@code since} changed the key (see touched.c). */
    public KeyChange changedSince(int db, byte[] key, long since) {
        int changed = shim.rr_changed_since(db, key, key.length, since);
        return new KeyChange((changed & 1) != 0, (changed & 2) != 0);
    }

    /** keyTouched: a write named the key (or, rarely, a key sharing its slot); dbEmptied: FLUSHDB, FLUSHALL or SWAPDB. */
    public record KeyChange(boolean keyTouched, boolean dbEmptied) {}

    /** A client waiting for a reply; it must be answered exactly once. */
    public record BlockedClient(long handle) {}
}
