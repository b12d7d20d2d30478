package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.lang.reflect.Method;
import java.util.Optional;
import org.apache.ratis.server.RaftServer;

/**
 * Whether this leader holds its Ratis leader lease: a majority acknowledged
 * AppendEntries sent within the lease period (a fraction of the minimum election
 * timeout), so no other leader can have been elected meanwhile. Ratis computes the
 * lease correctly from the send times of acknowledged requests, but keeps it
 * internal (LeaderStateImpl.hasLease) and its public read path falls back to a
 * shortcut that can serve stale reads from a deposed leader, so reads here use the
 * lease directly. If the internal method cannot be reached (another Ratis version),
 * the lease is simply never held and every read takes the barrier path.
 */
final class LeaderLease {
    private static final Accessor ACCESSOR = Accessor.resolve();

    private LeaderLease() {}

    static boolean held(RaftServer.Division division) {
        return ACCESSOR != null && ACCESSOR.hasLease(division);
    }

    private record Accessor(Method getRole, Method getLeaderState, Method hasLease) {
        static Accessor resolve() {
            try {
                Class<?> serverImpl = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
                Class<?> roleInfo = Class.forName("org.apache.ratis.server.impl.RoleInfo");
                Class<?> leaderState = Class.forName("org.apache.ratis.server.impl.LeaderStateImpl");
                Method getRole = serverImpl.getDeclaredMethod("getRole");
                Method getLeaderState = roleInfo.getDeclaredMethod("getLeaderState");
                Method hasLease = leaderState.getDeclaredMethod("hasLease");
                getRole.setAccessible(true);
                getLeaderState.setAccessible(true);
                hasLease.setAccessible(true);
                return new Accessor(getRole, getLeaderState, hasLease);
            } catch (ReflectiveOperationException | RuntimeException e) {
                RedisLog.warning("Ratis leader lease not reachable (" + e + "): every read goes through the log");
                return null;
            }
        }

        boolean hasLease(RaftServer.Division division) {
            try {
                Optional<?> leader = (Optional<?>) getLeaderState.invoke(getRole.invoke(division));
                return leader.isPresent() && (Boolean) hasLease.invoke(leader.get());
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
