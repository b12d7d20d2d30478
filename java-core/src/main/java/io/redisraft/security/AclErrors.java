package io.redisraft.security;

import io.redisraft.bridge.RedisVersion;
import io.redisraft.resp.Resp;
import java.util.function.Supplier;

/**
 * The errors Redis gives for a command its ACL refuses, in the wording of the Redis the
 * module runs in: 7.2 reworded them (the user's name, "ACL failure in script: ..."), and a
 * client must get what that Redis would have answered.
 */
public final class AclErrors {
    /** The module user replicated scripts run as (native-shim acl.c): the name Redis gives in scripts. */
    static final String SCRIPT_USER = "raft-script";

    private final boolean redis72Wording;

    private AclErrors(boolean redis72Wording) {
        this.redis72Wording = redis72Wording;
    }

    public static AclErrors of(RedisVersion version) {
        return new AclErrors(version.atLeast(7, 2));
    }

    /** Refusal of a client's command; {@code command} as "get" or "config|get", {@code user} read only if named. */
    public Resp clientDenied(int result, String command, Supplier<String> user) {
        if (!redis72Wording) {
            return Resp.error(switch (result) {
                case Access.DENIED_COMMAND -> "NOPERM this user has no permissions to run the '" + command + "' command";
                case Access.DENIED_KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
                default -> "NOPERM this user has no permissions to access one of the channels used as arguments";
            });
        }
        return Resp.error("NOPERM " + reason72(result, command, user));
    }

    /** Refusal of a command a replicated script called. */
    public Resp scriptDenied(int result, String command) {
        if (!redis72Wording) {
            return Resp.error("ERR The user executing the script " + switch (result) {
                case Access.DENIED_COMMAND -> "can't run this command or subcommand";
                case Access.DENIED_KEY -> "can't access at least one of the keys mentioned in the command arguments";
                default -> "can't publish to the channel mentioned in the command";
            });
        }
        return Resp.error("ERR ACL failure in script: " + reason72(result, command, () -> SCRIPT_USER));
    }

    private static String reason72(int result, String command, Supplier<String> user) {
        return switch (result) {
            case Access.DENIED_COMMAND -> "User " + user.get() + " has no permissions to run the '" + command
                    + "' command";
            case Access.DENIED_KEY -> "No permissions to access a key";
            default -> "No permissions to access a channel";
        };
    }
}
