package io.redisraft.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.bridge.RedisVersion;
import io.redisraft.resp.Resp;
import org.junit.jupiter.api.Test;

class AclErrorsTest {
    private final AclErrors redis70 = AclErrors.of(new RedisVersion(7, 0));
    private final AclErrors redis72 = AclErrors.of(new RedisVersion(7, 2));

    @Test
    void clientsGetTheWordingOfTheirRedis() {
        assertEquals(Resp.error("NOPERM this user has no permissions to run the 'config|get' command"),
                redis70.clientDenied(Access.DENIED_COMMAND, "config|get", () -> "app"));
        assertEquals(Resp.error("NOPERM this user has no permissions to access one of the keys used as arguments"),
                redis70.clientDenied(Access.DENIED_KEY, "get", () -> "app"));
        assertEquals(Resp.error("NOPERM User app has no permissions to run the 'config|get' command"),
                redis72.clientDenied(Access.DENIED_COMMAND, "config|get", () -> "app"));
        assertEquals(Resp.error("NOPERM No permissions to access a key"),
                redis72.clientDenied(Access.DENIED_KEY, "get", () -> "app"));
        assertEquals(Resp.error("NOPERM No permissions to access a channel"),
                redis72.clientDenied(Access.DENIED_CHANNEL, "publish", () -> "app"));
    }

    @Test
    void scriptsGetTheWordingOfTheirRedis() {
        assertEquals(Resp.error("ERR The user executing the script can't access at least one of the keys mentioned"
                + " in the command arguments"), redis70.scriptDenied(Access.DENIED_KEY, "ttl"));
        assertEquals(Resp.error("ERR ACL failure in script: No permissions to access a key"),
                redis72.scriptDenied(Access.DENIED_KEY, "ttl"));
        assertEquals(Resp.error("ERR ACL failure in script: User raft-script has no permissions to run the 'ttl'"
                + " command"), redis72.scriptDenied(Access.DENIED_COMMAND, "ttl"));
    }
}
