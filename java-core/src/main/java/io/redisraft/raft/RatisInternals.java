package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.lang.reflect.Method;
import org.apache.ratis.server.RaftServer;

/**
 * The two things this module needs from Ratis that its API does not offer, reached by
 * reflection into the server implementation (org.apache.ratis.server.impl.RaftServerImpl,
 * checked against Ratis 3.3.0). If another Ratis version lacks them, callers get the
 * safe answer: "stepping down" (no lease), and no election on demand.
 */
final class RatisInternals {
    private static final Method IS_STEPPING_DOWN = method("isSteppingDown");
    private static final Method CHANGE_TO_CANDIDATE = method("changeToCandidate", boolean.class);

    private RatisInternals() {}

    /** Whether a leadership transfer is stepping this leader down (true if that cannot be known). */
    static boolean steppingDown(RaftServer.Division division) {
        if (IS_STEPPING_DOWN == null) return true;
        try {
            return (Boolean) IS_STEPPING_DOWN.invoke(division);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Makes a follower a candidate at once, without pre-vote (what a leadership transfer's
     * target does). Returns why it could not, or null.
     */
    static String startElection(RaftServer.Division division) {
        if (CHANGE_TO_CANDIDATE == null) return "not supported by this Ratis version";
        if (!division.getInfo().isFollower()) return "this node is not a follower";
        try {
            CHANGE_TO_CANDIDATE.invoke(division, true);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.toString();
        }
    }

    private static Method method(String name, Class<?>... parameters) {
        try {
            Method m = Class.forName("org.apache.ratis.server.impl.RaftServerImpl").getDeclaredMethod(name, parameters);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.warning("Ratis internal " + name + " not reachable: " + e);
            return null;
        }
    }
}
