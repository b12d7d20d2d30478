package io.redisraft.scripts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The bodies of the Lua scripts this node has seen (SCRIPT LOAD, EVAL, EVAL_RO), by
 * SHA1, so the leader can replicate EVALSHA as EVAL with the body.
 *
 * <p>Redis 7.0 keeps its script cache out of the RDB, so a node restarted from a
 * snapshot, or one that joined through one, lacks scripts the others have; an EVALSHA
 * in the log would run on some nodes and fail (NOSCRIPT) on others. Replicating the
 * body makes every entry self-contained: every node runs the same script whatever
 * happened to its cache, and an unknown SHA is answered NOSCRIPT by the leader before
 * anything is logged, so the client's EVALSHA, NOSCRIPT, EVAL fallback runs the
 * script exactly once. Main thread only.
 */
public final class ScriptBodies {
    private final Map<String, byte[]> bodies = new HashMap<>();

    /** A script body was loaded or run. */
    public void learn(byte[] body) {
        bodies.putIfAbsent(sha1(body), body);
    }

    /** SCRIPT FLUSH was applied: EVALSHA answers NOSCRIPT until the scripts are loaded again. */
    public void forgetAll() {
        bodies.clear();
    }

    /** The body of a script by its SHA1 (any case), or null. */
    public byte[] body(byte[] sha) {
        return bodies.get(new String(sha, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    /** The lower-case hex SHA1 of a script, as Redis names it. */
    public static String sha1(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
