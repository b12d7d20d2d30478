package io.redisraft.security;

/**
 * Access-control results the shim reports (acl.c). Client commands reach the module
 * through a wrapper Redis does not check, so the module checks the real command against
 * the client's ACL user and answers exactly as Redis would have ({@link AclErrors}).
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
}
