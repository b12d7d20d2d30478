package io.redisraft.bridge;

import io.redisraft.resp.Resp;
import io.redisraft.resp.RespReader;
import io.redisraft.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Typed access to Redis through the shim. Everything here runs on the Redis main
 * thread except {@link #unblock}, which any thread may call.
 */
public final class RedisApi {
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
        byte[] encoded = io.redisraft.raft.CommandCodec.encodeCommand(bytes);
        IntByReference len = new IntByReference();
        Pointer reply = shim.rr_call(encoded, encoded.length, len);
        if (reply == null) return Resp.error("ERR command could not be run: " + String.join(" ", args));
        try {
            byte[] proto = new byte[len.intValue()];
            reply.get(0, proto, 0, proto.length);
            return RespReader.parse(proto);
        } finally {
            shim.rr_free(reply);
        }
    }

    /** Reads a server configuration value with CONFIG GET. */
    public String config(String name) {
        var items = call("CONFIG", "GET", name).asList();
        return items.size() == 2 ? items.get(1).asText() : null;
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

    /** Executes the encoded command units in buffer[offset, offset + len); targets[i] gets the reply of unit i. */
    public int execute(byte[] buffer, int offset, int len, long[] targets, int mode) {
        return shim.rr_execute(buffer, offset, len, targets, targets.length, mode);
    }

    /** A client waiting for a reply; it must be answered exactly once. */
    public record BlockedClient(long handle) {}
}
