package io.redisraft.raft;

import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.resp.Resp;

/**
 * Learns what became of the units whose client waits on this node, for clients that may
 * keep waiting after their unit ran (blocking commands, see CommandCodec.UNIT_MAY_WAIT).
 */
public interface WaitingClients {
    /**
     * Main thread: the unit of blocked client {@code handle} was applied; {@code stillWaiting}:
     * its client was not answered and is now this object's to answer.
     */
    void unitApplied(long handle, boolean stillWaiting);

    /** Main thread: the unit of {@code client} failed; the client was answered with the error. */
    void unitFailed(BlockedClient client);

    /** Any thread: whether any client waits (else an applied entry has nothing to tell). */
    boolean anyWaiting();

    /** Main thread: this node stopped serving; every client still waiting gets {@code answer}. */
    void nodeStopped(Resp answer);

    /**
     * Main thread: entry {@code index} was applied (a key someone waits for may hold data now);
     * called before reads waiting for that index run.
     */
    void entryApplied(long index);

    /**
     * Main thread: whether a client woken by the entry at {@code index} or before (or by a chain
     * of wake-ups it started) has its command still on the way. Redis serves woken clients
     * before it runs any other command, so a read that arrived after that entry waits for them.
     */
    boolean owesWakeupsUpTo(long index);
}
