package io.redisraft.harness;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.KeyValue;

/** Sends arbitrary commands with Jedis and returns plain Java values. */
public final class Commands {
    private Commands() {}

    /** A command by name, for Jedis's sendCommand. */
    public static ProtocolCommand named(String name) {
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        return () -> raw;
    }

    /**
     * Runs a command. Replies become String, Long, Double, null or List; an error reply
     * is returned (not thrown) as a {@link ReplyError}.
     */
    public static Object call(Jedis jedis, String... command) {
        String[] args = new String[command.length - 1];
        System.arraycopy(command, 1, args, 0, args.length);
        try {
            return plain(jedis.sendCommand(named(command[0]), args));
        } catch (JedisDataException e) {
            return new ReplyError(e.getMessage());
        }
    }

    public static Object plain(Object reply) {
        if (reply instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (reply instanceof JedisDataException e) return new ReplyError(e.getMessage());
        if (reply instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                // RESP3 maps arrive as key/value pairs: flatten them like RESP2 does.
                if (o instanceof KeyValue<?, ?> kv) {
                    out.add(plain(kv.getKey()));
                    out.add(plain(kv.getValue()));
                } else {
                    out.add(plain(o));
                }
            }
            return out;
        }
        return reply;
    }

    /** The SHA1 Redis names a script by (EVALSHA, SCRIPT LOAD). */
    public static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An error reply, e.g. "MOVED 0 127.0.0.1:7000". */
    public record ReplyError(String message) {
        public String code() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }
    }
}
