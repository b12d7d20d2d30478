package io.redisraft.security;

import io.redisraft.resp.Resp;

/**
 * Access-control results the shim reports (acl.c) and the errors Redis gives for them.
 * Client commands reach the module through a wrapper Redis does not check, so the
 * module checks the real command against the client's ACL user and answers exactly
 * as Redis would have.
 */
public final class Access {
    public static final int OK = 0;
    public static final int DENIED_COMMAND = 1;
    public static final int DENIED_KEY = 2;
    public static final int DENIED_CHANNEL = 3;
    /** Added to a result: the client's user is "default". */
    public static final int DEFAULT_USER = 4;

    private Access() {}

    public static int result(int security) {
        return security & 3;
    }

    public static boolean defaultUser(int security) {
        return (security & DEFAULT_USER) != 0;
    }

    /** Redis's reply to a client command the ACL refuses; {@code command} as "get" or "config|get". */
    public static Resp denied(int result, String command) {
        return switch (result) {
            case DENIED_COMMAND -> Resp.error("NOPERM this user has no permissions to run the '" + command + "' command");
            case DENIED_KEY -> Resp.error("NOPERM this user has no permissions to access one of the keys used as arguments");
            default -> Resp.error("NOPERM this user has no permissions to access one of the channels used as arguments");
        };
    }

    /** Redis's error for a command a script's user may not run. */
    public static Resp deniedInScript(int result) {
        String why = switch (result) {
            case DENIED_COMMAND -> "can't run this command or subcommand";
            case DENIED_KEY -> "can't access at least one of the keys mentioned in the command arguments";
            default -> "can't publish to the channel mentioned in the command";
        };
        return Resp.error("ERR The user executing the script " + why);
    }
}
