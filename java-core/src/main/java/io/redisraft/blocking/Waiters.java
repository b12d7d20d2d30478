package io.redisraft.blocking;

import io.redisraft.bridge.RedisApi;
import io.redisraft.bridge.RedisApi.BlockedClient;
import io.redisraft.raft.RaftNode;
import io.redisraft.raft.WaitingClients;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Clients of the leader blocked on keys (BLPOP, BZPOPMIN, BLMOVE, XREADGROUP ... BLOCK,
 * ...). Redis 7.0's
 * RM_Call cannot block, so a blocking command goes through the log as it is and, when
 * applied, pops without waiting, alike on every node. If it found nothing, the leader
 * (whose client it is) keeps the client blocked here instead of answering. After each
 * applied entry, for every key now holding the awaited type (a stream: with an entry the
 * read would return), the client that waits
 * longest on it sends its command through the log again; if another client was quicker,
 * it waits on, in its place. So the popped element is removed by a log entry on every
 * node, and clients are served in the order they blocked. Until a woken client's command
 * is applied, reads that arrived after the entry that woke it wait (see
 * {@link #owesWakeupsUpTo}), as Redis serves woken clients before any other command. A
 * client waits until its timeout (checked on housekeeping ticks), CLIENT UNBLOCK, its
 * disconnection, or its node no longer taking commands (the leader losing its place,
 * unless it proxies to the next one): then it is disconnected, as in RedisRaft. A follower
 * that proxies (raft.follower-proxy) keeps its own clients waiting the same way.
 * Main thread only.
 */
public final class Waiters implements WaitingClients {
    static final Resp UNBLOCKED = Resp.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    static final Resp LEADER_CHANGED = Resp.error("CLUSTERDOWN the Raft leader changed while this client was blocked");
    /** Redis 7.0's answers to a blocked XREADGROUP whose stream or group went away. */
    static final Resp STREAM_GONE = Resp.error("UNBLOCKED the stream key no longer exists");
    static final Resp GROUP_GONE = Resp.error("NOGROUP the consumer group this client was blocked on no longer exists");

    private final RedisApi redis;
    private final RaftNode node;
    /** By blocked-client handle, in the order the clients blocked. */
    private final LinkedHashMap<Long, Waiter> waiters = new LinkedHashMap<>();
    /** Read by other threads: whether a housekeeping tick has anything to do here. */
    private volatile boolean anyWaiting;
    /** The earliest wokenBy of the wake-ups applied in the entry being applied; MAX_VALUE: none. */
    private long entryWokenBy = Long.MAX_VALUE;

    private static final class Waiter {
        final BlockedClient client;
        final long clientId;
        final int db;
        final byte[] unit;
        final BlockingCommand command;
        /** "db:key" of each awaited key. */
        final List<String> names = new ArrayList<>();
        final long deadlineNanos; // 0: never
        /** Its unit is in the log, not yet applied: the write path owns the client. */
        boolean inFlight = true;
        /**
         * While its command is on the way after a wake-up: the index of the client's write that
         * started the wake-ups (a wake-up caused by another's keeps the first one's); else 0.
         */
        long wokenBy;
        /** What to answer once the client is ours again (timeout, CLIENT UNBLOCK, disconnection); null: wait on. */
        Resp pendingAnswer;

        Waiter(BlockedClient client, long clientId, int db, byte[] unit, BlockingCommand command) {
            this.client = client;
            this.clientId = clientId;
            this.db = db;
            this.unit = unit;
            this.command = command;
            for (byte[] k : command.keys()) names.add(name(db, k));
            this.deadlineNanos = command.timeoutMs() == 0 ? 0 : System.nanoTime() + command.timeoutMs() * 1_000_000;
        }
    }

    public Waiters(RedisApi redis, RaftNode node) {
        this.redis = redis;
        this.node = node;
    }

    /**
     * A blocking command of client {@code clientId}, whose {@code client} is blocked: it goes
     * into the log at once, unless a client that blocked earlier waits on one of its keys;
     * then it waits behind it (served in turn, as in Redis).
     */
    public void submit(BlockedClient client, long clientId, int db, byte[] unit, BlockingCommand command) {
        Waiter w = new Waiter(client, clientId, db, unit, command);
        Set<String> keys = new HashSet<>(w.names);
        boolean behind = waiters.values().stream().anyMatch(other -> other.names.stream().anyMatch(keys::contains));
        remember(w);
        if (behind) {
            w.inFlight = false;
        } else {
            node.write(unit, clientId, client);
        }
    }

    @Override
    public void unitApplied(long handle, boolean stillWaiting) {
        Waiter w = waiters.get(handle);
        if (w != null && w.wokenBy != 0) {
            entryWokenBy = Math.min(entryWokenBy, w.wokenBy);
            w.wokenBy = 0;
        }
        if (w == null) {
            // Forgotten while its unit was in flight (the leader changed): never leave it hanging.
            if (stillWaiting) redis.unblock(new BlockedClient(handle), LEADER_CHANGED);
            return;
        }
        if (!stillWaiting) {
            forget(handle);
            return;
        }
        w.inFlight = false;
        if (w.pendingAnswer != null) answer(w, w.pendingAnswer);
    }

    @Override
    public void unitFailed(BlockedClient client) {
        // The write path answered it. (Compared by identity: Redis may reuse a handle's address.)
        Waiter w = waiters.get(client.handle());
        if (w != null && w.client == client) forget(client.handle());
    }

    @Override
    public void entryApplied(long index) {
        // Wake-ups this entry causes belong to the write that caused the ones it applied, if any.
        long wokenBy = Math.min(entryWokenBy, index);
        entryWokenBy = Long.MAX_VALUE;
        if (waiters.isEmpty()) return;
        Set<String> claimed = new HashSet<>();
        for (Waiter w : waiters.values()) {
            if (w.inFlight) claimed.addAll(w.names);
        }
        KeyLookups lookups = new KeyLookups();
        for (Waiter w : new ArrayList<>(waiters.values())) {
            if (w.inFlight || w.pendingAnswer != null) continue;
            Resp gone = groupReadGone(w, lookups);
            if (gone != null) {
                answer(w, gone);
                continue;
            }
            List<String> keys = w.names;
            boolean anyReady = false;
            for (int i = 0; i < keys.size() && !anyReady; i++) {
                if (claimed.contains(keys.get(i))) continue;
                anyReady = lookups.type(w.db, w.command.keys().get(i)).equals(w.command.type())
                        && (w.command.read() == null || hasEntriesToRead(w.db, w.command, i, lookups));
            }
            if (!anyReady) continue;
            claimed.addAll(keys);
            w.inFlight = true;
            w.wokenBy = wokenBy;
            node.write(w.unit, w.clientId, w.client);
        }
    }

    @Override
    public boolean owesWakeupsUpTo(long index) {
        for (Waiter w : waiters.values()) {
            if (w.wokenBy != 0 && w.wokenBy <= index) return true;
        }
        return false;
    }

    private void remember(Waiter w) {
        waiters.put(w.client.handle(), w);
        anyWaiting = true;
    }

    private void forget(long handle) {
        waiters.remove(handle);
        anyWaiting = !waiters.isEmpty();
    }

    @Override
    public boolean anyWaiting() {
        return anyWaiting;
    }

    @Override
    public void nodeStopped(Resp answer) {
        for (Waiter w : new ArrayList<>(waiters.values())) {
            forget(w.client.handle());
            if (!w.inFlight) redis.unblock(w.client, answer); // in flight: the write path answers it
        }
    }

    /**
     * On each housekeeping tick and leader change: answers clients whose time is up;
     * disconnects them all if this node no longer takes clients' commands (it stopped
     * leading, and does not proxy to the leader).
     */
    public void tick() {
        if (waiters.isEmpty()) return;
        boolean leading = node.clientRefusal() == null;
        long now = System.nanoTime();
        for (Waiter w : new ArrayList<>(waiters.values())) {
            if (!leading) {
                disconnect(w);
            } else if (w.deadlineNanos != 0 && now - w.deadlineNanos >= 0 && w.pendingAnswer == null) {
                answerWhenOurs(w, w.command.timeoutReply());
            }
        }
    }

    /** The client disconnected: it is forgotten (its command is not run again). */
    public void clientGone(long clientId) {
        for (Waiter w : matching(clientId)) answerWhenOurs(w, Resp.NULL);
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR] for a client waiting here: answered as on timeout or
     * with -UNBLOCKED; false if the client does not wait here.
     */
    public boolean unblock(long clientId, boolean withError) {
        List<Waiter> found = matching(clientId);
        for (Waiter w : found) answerWhenOurs(w, withError ? UNBLOCKED : w.command.timeoutReply());
        return !found.isEmpty();
    }

    private List<Waiter> matching(long clientId) {
        List<Waiter> found = new ArrayList<>();
        for (Waiter w : waiters.values()) if (w.clientId == clientId && w.pendingAnswer == null) found.add(w);
        return found;
    }

    /** Answers now if the client is ours; else once its unit comes back unanswered (it may be served first). */
    private void answerWhenOurs(Waiter w, Resp reply) {
        w.pendingAnswer = reply;
        if (!w.inFlight) answer(w, reply);
    }

    private void answer(Waiter w, Resp reply) {
        forget(w.client.handle());
        redis.unblock(w.client, reply);
    }

    /** Forgets the client and closes its connection; a unit still in flight is answered by the write path. */
    private void disconnect(Waiter w) {
        forget(w.client.handle());
        if (!w.inFlight) redis.unblock(w.client, LEADER_CHANGED);
        redis.call("CLIENT", "KILL", "ID", Long.toString(w.clientId));
    }

    /**
     * For a blocked XREADGROUP: Redis's error once one of its keys is no longer a stream
     * (deleted, flushed, overwritten) or no longer has the group; null while it may wait on.
     */
    private Resp groupReadGone(Waiter w, KeyLookups lookups) {
        BlockingCommand.StreamRead read = w.command.read();
        if (read == null || read.group() == null) return null;
        for (byte[] key : w.command.keys()) {
            if (!lookups.type(w.db, key).equals("stream")) return STREAM_GONE;
            if (lookups.lastDelivered(w.db, key, read.group()) == null) return GROUP_GONE;
        }
        return null;
    }

    /**
     * What one pass over the waiters reads about keys, each thing once however many waiters
     * ask (TYPE, XINFO GROUPS). In database {@code db}; -1: the one the module's context uses now.
     */
    private final class KeyLookups {
        private final Map<String, String> types = new HashMap<>();
        private final Map<String, Optional<String>> delivered = new HashMap<>();

        String type(int db, byte[] key) {
            return types.computeIfAbsent(name(db, key), n -> {
                Resp type = redis.callInDb(db, new byte[][] {bytes("TYPE"), key});
                return type instanceof Resp.Simple s ? s.text() : "none";
            });
        }

        /** The id of the last entry a consumer group was given, or null if there is no such group. */
        String lastDelivered(int db, byte[] key, byte[] group) {
            String name = name(db, key) + "\0" + new String(group, StandardCharsets.ISO_8859_1);
            return delivered.computeIfAbsent(name, n -> Optional.ofNullable(readLastDelivered(db, key, group)))
                    .orElse(null);
        }
    }

    /** "db:key": how waiters and lookups name a key. */
    private static String name(int db, byte[] key) {
        return db + ":" + new String(key, StandardCharsets.ISO_8859_1);
    }

    /**
     * Main thread, while its unit runs: whether {@code command} would pop or read something now
     * (in the database the module's context uses), or find nothing and wait.
     */
    public boolean couldServe(BlockingCommand command) {
        KeyLookups lookups = new KeyLookups();
        for (int i = 0; i < command.keys().size(); i++) {
            if (lookups.type(-1, command.keys().get(i)).equals(command.type())
                    && (command.read() == null || hasEntriesToRead(-1, command, i, lookups))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the stream of key {@code i} holds an entry the blocked read would return. */
    private boolean hasEntriesToRead(int db, BlockingCommand command, int i, KeyLookups lookups) {
        byte[] key = command.keys().get(i);
        BlockingCommand.StreamRead read = command.read();
        String after = read.group() != null ? lookups.lastDelivered(db, key, read.group())
                : new String(read.afterIds().get(i), StandardCharsets.US_ASCII);
        if (after == null) return false;
        Resp next = redis.callInDb(db, new byte[][] {bytes("XRANGE"), key, bytes("(" + after), bytes("+"),
                bytes("COUNT"), bytes("1")});
        return next instanceof Resp.Array a && a.items() != null && !a.items().isEmpty();
    }

    private String readLastDelivered(int db, byte[] key, byte[] group) {
        Resp groups = redis.callInDb(db, new byte[][] {bytes("XINFO"), bytes("GROUPS"), key});
        if (!(groups instanceof Resp.Array a) || a.items() == null) return null;
        String wanted = new String(group, StandardCharsets.UTF_8);
        for (Resp g : a.items()) {
            List<Resp> fields = g.asList();
            String name = null;
            String delivered = null;
            for (int f = 0; f + 1 < fields.size(); f += 2) {
                if ("name".equals(fields.get(f).asText())) name = fields.get(f + 1).asText();
                if ("last-delivered-id".equals(fields.get(f).asText())) delivered = fields.get(f + 1).asText();
            }
            if (wanted.equals(name)) return delivered;
        }
        return null;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
