package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.LogAppender;

/**
 * The three things this module needs from Ratis that its API does not offer, reached by
 * reflection into the server implementation (org.apache.ratis.server.impl.RaftServerImpl,
 * checked against Ratis 3.3.0). If another Ratis version lacks them, callers get the
 * safe answer: "stepping down" (no lease), no election on demand, and followers that
 * learn of commits with the next regular heartbeat.
 */
final class RatisInternals {
    private static final Method IS_STEPPING_DOWN = method("isSteppingDown");
    private static final Method CHANGE_TO_CANDIDATE = method("changeToCandidate", boolean.class);
    private static final Method GET_ROLE = method("getRole");
    private static final Method GET_LEADER_STATE = method("org.apache.ratis.server.impl.RoleInfo", "getLeaderState");
    private static final Field SENDERS = field("org.apache.ratis.server.impl.LeaderStateImpl", "senders");

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

    /**
     * Leader: sends every follower a heartbeat now, which tells it the commit index. A
     * follower that proxies a write waits to apply it itself, and would otherwise learn that
     * it is committed only with the next entry or regular heartbeat (up to half the minimum
     * election timeout later).
     */
    static void sendHeartbeatsNow(RaftServer.Division division) {
        if (GET_ROLE == null || GET_LEADER_STATE == null || SENDERS == null) return;
        try {
            Optional<?> leaderState = (Optional<?>) GET_LEADER_STATE.invoke(GET_ROLE.invoke(division));
            if (leaderState.isEmpty()) return;
            for (Object appender : (Iterable<?>) SENDERS.get(leaderState.get())) {
                ((LogAppender) appender).triggerHeartbeat();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the next regular heartbeat carries the commit index
        }
    }

    private static Method method(String name, Class<?>... parameters) {
        return method("org.apache.ratis.server.impl.RaftServerImpl", name, parameters);
    }

    private static Method method(String className, String name, Class<?>... parameters) {
        try {
            Method m = Class.forName(className).getDeclaredMethod(name, parameters);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.warning("Ratis internal " + name + " not reachable: " + e);
            return null;
        }
    }

    private static Field field(String className, String name) {
        try {
            Field f = Class.forName(className).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.warning("Ratis internal " + name + " not reachable: " + e);
            return null;
        }
    }
}
