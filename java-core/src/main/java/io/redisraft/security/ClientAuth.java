package io.redisraft.security;

import io.redisraft.bridge.RedisApi;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Authentication of clients whose commands the module runs. The module's wrapper
 * command is exempt from Redis's own authentication check (it must be, or Redis would
 * check the wrapper's ACL instead of the command's), so the module refuses commands of
 * clients that have not authenticated, with Redis's NOAUTH error.
 *
 * <p>Redis does not tell modules whether a client authenticated; this class follows it:
 * a client that connected while the default user needed a password is unauthenticated
 * until it authenticates. AUTH goes through the module ({@link #auth}), which checks the
 * credentials as Redis does and authenticates the client. HELLO ... AUTH stays Redis's
 * own; a client that did it is recognised by its user (not "default") or by RESP3
 * (HELLO 3 succeeds only for authenticated clients). A client that authenticated as
 * "default" with HELLO 2 AUTH is the one case left out: it gets NOAUTH and should use
 * AUTH. Main thread only.
 */
public final class ClientAuth {
    public static final Resp NOAUTH = Resp.error("NOAUTH Authentication required.");

    private final RedisApi redis;
    private final AclErrors errors;
    private final Set<Long> unauthenticated = new HashSet<>();

    public ClientAuth(RedisApi redis, AclErrors errors) {
        this.redis = redis;
        this.errors = errors;
    }

    /** Redis's refusal of a client's command (module command ctx) that its ACL user may not run. */
    public Resp denied(long ctx, int access, String command) {
        return errors.clientDenied(access, command, () -> redis.clientUser(ctx));
    }

    public void connected(long clientId) {
        if (passwordRequired()) unauthenticated.add(clientId);
    }

    public void disconnected(long clientId) {
        unauthenticated.remove(clientId);
    }

    /**
     * Whether the client may run commands. Like Redis, a client that has not authenticated
     * may once the default user no longer needs a password (checked only for such clients).
     */
    public boolean authenticated(long clientId, boolean defaultUser, boolean resp3) {
        if (!unauthenticated.contains(clientId)) return true;
        if (defaultUser && !resp3 && passwordRequired()) return false;
        unauthenticated.remove(clientId);
        return true;
    }

    /** AUTH [user] password, for the client of module command ctx. */
    public Resp auth(long ctx, long clientId, byte[][] argv) {
        for (int i = 1; i < argv.length; i++) redis.shim().rr_redact(ctx, i + 1); // +1: the wrapper's own name
        Resp checked = redis.call(argv);
        if (checked.isError()) return checked;
        String user = argv.length == 3 ? new String(argv[1], StandardCharsets.UTF_8) : "default";
        if (redis.shim().rr_authenticate(ctx, user) != 0) {
            return Resp.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        unauthenticated.remove(clientId);
        return checked;
    }

    /** Whether a new connection must authenticate: the default user has a password or is off. */
    private boolean passwordRequired() {
        List<Resp> user = redis.call("ACL", "GETUSER", "default").asList();
        for (int i = 0; i + 1 < user.size(); i += 2) {
            if ("flags".equals(user.get(i).asText())) {
                List<String> flags = user.get(i + 1).asList().stream().map(Resp::asText).toList();
                return !(flags.contains("on") && flags.contains("nopass"));
            }
        }
        return true;
    }
}
