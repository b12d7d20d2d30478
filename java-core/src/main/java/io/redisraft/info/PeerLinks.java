package io.redisraft.info;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conn_errors and conn_oks of INFO raft's node lines. Ratis keeps its gRPC channels
 * to itself, so a link is judged by contact: a peer heard from within the election
 * timeout is connected; a link counts one "ok" each time it becomes connected and one
 * "error" each time it is lost (no contact for longer) while it was connected or never
 * came up. Sampled on every housekeeping tick and on every INFO.
 */
final class PeerLinks {
    /** Per peer id: the counts and whether the link was last seen up. */
    private final Map<String, Link> links = new ConcurrentHashMap<>();

    static final class Link {
        private Boolean up; // null: not judged yet
        private long errors;
        private long oks;

        synchronized void observe(boolean connected) {
            if (up != null && up == connected) return;
            if (connected) oks++;
            else errors++;
            up = connected;
        }

        synchronized long errors() {
            return errors;
        }

        synchronized long oks() {
            return oks;
        }
    }

    /**
     * Records what this node knows of a peer: {@code lastContactMs} since it last heard from
     * it (-1: this node does not track the peer, e.g. a follower for another follower).
     */
    Link observe(String peerId, long lastContactMs, long electionTimeoutMs) {
        Link link = links.computeIfAbsent(peerId, id -> new Link());
        if (lastContactMs >= 0) link.observe(lastContactMs <= electionTimeoutMs);
        return link;
    }

    /** Forgets peers that left the configuration. */
    void retainOnly(Set<String> peerIds) {
        links.keySet().retainAll(peerIds);
    }
}
