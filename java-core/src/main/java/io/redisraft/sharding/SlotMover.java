package io.redisraft.sharding;

import io.redisraft.bridge.CommandCodec;
import io.redisraft.bridge.MainThread;
import io.redisraft.config.ConfigOption;
import io.redisraft.config.HostPort;
import io.redisraft.config.RaftConfig;
import io.redisraft.expiry.Deadlines;
import io.redisraft.logging.RedisLog;
import io.redisraft.raft.NodeConnections;
import io.redisraft.raft.RaftNode;
import io.redisraft.resp.Resp;
import io.redisraft.resp.RespClient;
import io.redisraft.util.Threads;
import java.io.IOException;
import java.net.ConnectException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Moves keys and slots out of this shard group, on its leader, one move at a time.
 *
 * <p>Keys (MIGRATE ... KEYS, and each batch of a slot move): they are locked through this
 * group's log (commands on them answer TRYAGAIN), dumped here with their deadlines, imported
 * by the target group's leader through its log (RAFT.IMPORT, fenced by this leader's term
 * and attempt so that a late import of an earlier attempt is refused there), then
 * deleted and unlocked through this group's log. If the import fails they are only
 * unlocked: they stay here, and the copy an import may have left there is never served
 * (the target serves a key of a moving slot only once it is gone from here) and is
 * replaced by the next attempt.
 *
 * <p>Slots (RAFT.SHARDGROUP MIGRATE start end host:port): the target group, then this
 * one, mark the range importing / migrating (REPLACE, through each log); every key of the
 * range is moved as above (a full scan, repeated until none is left: a migrating slot
 * never gets new keys here, asking clients create them there); then the target, then
 * this group, give the range to the target. Running it again after a failure (a leader
 * lost on either side) resumes the same move.
 */
public final class SlotMover {
    /** Keys moved per batch (each batch: three entries here, one there), and at most about this many bytes. */
    private static final int BATCH_KEYS = 500;
    private static final long BATCH_BYTES = 1 << 20;
    private static final long STEP_TIMEOUT_MS = 30_000;

    private final RaftConfig config;
    private final RaftNode node;
    private final MainThread mainThread;
    private final ShardGroups groups;
    private final ShardLinks links;
    private final NodeConnections connections;
    private final Function<byte[][], Resp> redis;
    private final ExecutorService thread = Threads.single("slot-mover");
    private final AtomicLong attempts = new AtomicLong();

    public SlotMover(RaftConfig config, RaftNode node, MainThread mainThread, ShardGroups groups, ShardLinks links,
                     Function<byte[][], Resp> redis) {
        this.config = config;
        this.node = node;
        this.mainThread = mainThread;
        this.groups = groups;
        this.links = links;
        this.connections = node.connections();
        this.redis = redis;
    }

    /** Why a move stopped: the reply. */
    private static final class MoveFailure extends Exception {
        MoveFailure(String reply) {
            super(reply);
        }
    }

    // ---- MIGRATE host port "" 0 timeout [COPY] [REPLACE] [AUTH ...] KEYS key... ----

    /**
     * Main thread: MIGRATE's KEYS form, as RedisRaft supports it: the keys go to the group
     * importing their slot (host and port are not needed; given, they are where to start if
     * that group lists no node). {@code reply} is called once, from any thread.
     */
    public void migrate(byte[][] argv, Consumer<Resp> reply) {
        List<String> args = ShardGroups.texts(argv);
        int keysAt = -1;
        for (int i = 6; i < args.size(); i++) {
            if (args.get(i).equalsIgnoreCase("KEYS")) {
                keysAt = i;
                break;
            }
        }
        if (keysAt < 0 || !args.get(3).isEmpty() || keysAt + 1 >= args.size()) {
            reply.accept(Resp.error("ERR RedisRaft only supports MIGRATE with an empty key and KEYS"));
            return;
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = keysAt + 1; i < argv.length; i++) keys.add(argv[i]);
        ShardGroup importer = groups.map().importer(HashSlots.of(keys.get(0)));
        HostPort target = importer != null && !importer.nodes().isEmpty()
                ? HostPort.parse(importer.nodes().get(0).address()) : HostPort.parse(args.get(1) + ":" + args.get(2));
        if (target == null) {
            reply.accept(Resp.error("ERR no importing shard group for slot " + HashSlots.of(keys.get(0))));
            return;
        }
        thread.execute(() -> {
            try {
                int moved = moveKeys(keys, target, importer);
                reply.accept(moved == 0 ? Resp.simple("NOKEY") : Resp.OK);
            } catch (MoveFailure e) {
                reply.accept(Resp.error(e.getMessage()));
            }
        });
    }

    /**
     * Moves {@code keys} (of slots migrating out) to the group at {@code target} (whose nodes
     * are {@code targetGroup}'s, if known); returns how many existed here.
     */
    private int moveKeys(List<byte[]> keys, HostPort target, ShardGroup targetGroup) throws MoveFailure {
        long session = onMain(() -> {
            checkLeader();
            ShardMap map = groups.map();
            long found = -1;
            for (byte[] key : keys) {
                int slot = HashSlots.of(key);
                SlotRange r = map.local().rangeOf(slot);
                if (r == null || r.type() != SlotRange.Type.MIGRATING) {
                    throw new IllegalStateException("ERR slot " + slot + " is not migrating out of this shard group");
                }
                if (found >= 0 && r.migrationKey() != found) {
                    throw new IllegalStateException("ERR the keys belong to different migrations");
                }
                found = r.migrationKey();
            }
            return found;
        });
        await(onMain(() -> node.writeOwn(unit(keyLocks("LOCK", keys)))), "locking the keys");
        List<byte[]> imported = new ArrayList<>();
        byte[][] importCommand = onMain(() -> {
            for (byte[] key : keys) {
                if (!groups.isLocked(key)) throw new IllegalStateException("ERR the keys could not be locked");
            }
            return importCommand(keys, session, imported);
        });
        if (imported.isEmpty()) {
            await(onMain(() -> node.writeOwn(unit(keyLocks("UNLOCK", keys)))), "unlocking the keys");
            return 0;
        }
        try {
            Resp answer = callLeader(target, targetGroup, importCommand);
            if (answer.isError()) throw new IOException(answer.asText());
        } catch (IOException e) {
            // They stay here; a copy left there is never served, and the next attempt replaces it.
            await(onMain(() -> node.writeOwn(unit(keyLocks("UNLOCK", keys)))), "unlocking the keys");
            throw new MoveFailure("IOERR the target shard group did not import the keys: " + e.getMessage());
        }
        List<byte[]> del = new ArrayList<>();
        del.add(ShardGroups.bytes("DEL"));
        del.addAll(imported);
        byte[][] delete = del.toArray(new byte[0][]);
        await(onMain(() -> node.writeOwn(CommandCodec.encodeUnit(CommandCodec.UNIT_TRANSACTION, 0, null,
                List.of(delete, keyLocks("UNLOCK", keys))))), "deleting the moved keys");
        return imported.size();
    }

    /**
     * Main thread: RAFT.IMPORT PXAT fence session (key deadline payload)... for the keys that
     * exist here; a deadline is the key's as the log set it (ms since the epoch, 0 for none).
     */
    private byte[][] importCommand(List<byte[]> keys, long session, List<byte[]> imported) {
        long term = node.division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
        long fence = (term << 32) | (attempts.incrementAndGet() & 0xffffffffL);
        List<byte[]> out = new ArrayList<>();
        for (String a : List.of("RAFT.IMPORT", "PXAT", Long.toString(fence), Long.toString(session))) {
            out.add(ShardGroups.bytes(a));
        }
        long bytes = 0;
        for (byte[] key : keys) {
            // Past the byte budget, keys stay here (unlocked after the import) for the next pass.
            if (bytes > BATCH_BYTES) break;
            Resp dump = redis.apply(new byte[][] {ShardGroups.bytes("DUMP"), key});
            if (!(dump instanceof Resp.Bulk b) || b.bytes() == null) continue; // gone
            bytes += key.length + b.bytes().length;
            // Redis stores each deadline shifted (expiry.Deadlines): PEXPIRETIME gives it as stored.
            long stored = redis.apply(new byte[][] {ShardGroups.bytes("PEXPIRETIME"), key}) instanceof Resp.Int i
                    ? i.value() : -1;
            out.add(key);
            out.add(ShardGroups.bytes(Long.toString(stored > 0 ? stored - Deadlines.SHIFT_MS : 0)));
            out.add(b.bytes());
            imported.add(key);
        }
        return out.toArray(new byte[0][]);
    }

    private static byte[][] keyLocks(String op, List<byte[]> keys) {
        List<byte[]> out = new ArrayList<>();
        out.add(ShardGroups.bytes(ShardGroups.KEYLOCKS_COMMAND));
        out.add(ShardGroups.bytes(op));
        out.addAll(keys);
        return out.toArray(new byte[0][]);
    }

    // ---- RAFT.SHARDGROUP MIGRATE start end host:port ----

    /** Main thread: moves slots start..end to the group at {@code target}; {@code reply} is called once. */
    public void moveSlots(int start, int end, HostPort target, Consumer<Resp> reply) {
        thread.execute(() -> {
            long began = System.nanoTime();
            try {
                long keys = moveSlots(start, end, target);
                long ms = (System.nanoTime() - began) / 1_000_000;
                RedisLog.notice("moved slots " + start + "-" + end + " (" + keys + " keys) to " + target + " in " + ms + " ms");
                reply.accept(Resp.OK);
            } catch (MoveFailure e) {
                RedisLog.warning("moving slots " + start + "-" + end + " to " + target + " stopped: " + e.getMessage()
                        + " (run it again to resume)");
                reply.accept(Resp.error(e.getMessage()));
            }
        });
    }

    private long moveSlots(int start, int end, HostPort target) throws MoveFailure {
        ShardGroup to;
        try {
            to = links.fetch(target).get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new MoveFailure("ERR cannot reach the target shard group at " + target + ": " + cause(e));
        }
        String targetId = to.id();
        // The target finished (took the slots) but this group did not: only the last step is left.
        boolean targetDone = onMain(() -> {
            checkLeader();
            ShardMap map = groups.map();
            for (int s = start; s <= end; s++) {
                SlotRange mine = map.local().rangeOf(s);
                SlotRange theirs = to.rangeOf(s);
                boolean done = mine != null && mine.type() == SlotRange.Type.MIGRATING && map.importer(s) != null
                        && map.importer(s).id().equals(targetId) && theirs != null
                        && theirs.type() == SlotRange.Type.STABLE;
                if (!done) return false;
            }
            return true;
        });
        if (targetDone) {
            replaceHere(onMain(() -> groups.map().moved(start, end, targetId)));
            return 0;
        }
        // 1. Both groups mark the range as moving (the target first: this group then sends clients there).
        List<ShardGroup> moving = onMain(() -> {
            checkLeader();
            ShardMap map = groups.map();
            if (targetId.equals(map.localId())) throw new IllegalStateException("ERR the target is this shard group");
            if (map.group(targetId) == null) {
                throw new IllegalStateException("ERR unknown target shard group: link it first (RAFT.SHARDGROUP LINK)");
            }
            long session = 0;
            for (int s = start; s <= end; s++) {
                SlotRange r = map.local().rangeOf(s);
                boolean resumable = r != null && r.type() == SlotRange.Type.MIGRATING && map.importer(s) != null
                        && map.importer(s).id().equals(targetId);
                if (r == null || (r.type() != SlotRange.Type.STABLE && !resumable)) {
                    throw new IllegalStateException("ERR slot " + s + " is not served by this shard group");
                }
                if (resumable) session = r.migrationKey();
            }
            if (session == 0) session = 1 + new SecureRandom().nextLong(Long.MAX_VALUE - 1);
            // The target's other slots are as it describes them (the range itself may already be
            // marked there by an attempt that did not get further); this group's as its map has them.
            ShardGroup targetNow = new ShardGroup(targetId, ShardMap.rebuild(to.ranges(), start, end, null, 0), to.nodes());
            ShardMap base;
            try {
                base = map.update(List.of(targetNow));
            } catch (ShardGroupSyntaxException e) {
                throw new IllegalStateException("ERR the target shard group's description conflicts with this "
                        + "group's map: " + e.getMessage());
            }
            return base.moving(start, end, targetId, session);
        });
        replaceOn(target, to, moving);
        replaceHere(moving);
        // 2. Every key of the range, in batches.
        long moved = 0;
        for (int pass = 0; ; pass++) {
            long found = 0;
            String cursor = "0";
            do {
                List<byte[]> batch = new ArrayList<>();
                String from = cursor;
                cursor = onMain(() -> new SlotScan(redis).step(from, (int) config.number(ConfigOption.SCAN_SIZE), key -> {
                    int slot = HashSlots.of(key);
                    if (slot >= start && slot <= end) batch.add(key);
                }));
                for (int i = 0; i < batch.size(); i += BATCH_KEYS) {
                    List<byte[]> part = batch.subList(i, Math.min(batch.size(), i + BATCH_KEYS));
                    found += part.size();
                    moved += moveKeys(new ArrayList<>(part), target, to);
                }
            } while (!cursor.equals("0"));
            if (found == 0) break;
            if (pass == 5) throw new MoveFailure("ERR keys of the slots were still here after " + pass + " passes");
        }
        // 3. The target, then this group, hand the range over.
        List<ShardGroup> done = onMain(() -> groups.map().moved(start, end, targetId));
        replaceOn(target, to, done);
        replaceHere(done);
        return moved;
    }

    /** The target learns this group's nodes too: its map must send clients here. */
    private void replaceOn(HostPort target, ShardGroup targetGroup, List<ShardGroup> groupsToSend) throws MoveFailure {
        List<ShardGroup> all = onMain(() -> LocalNodes.described(groupsToSend, groups.map().localId(), LocalNodes.of(node)));
        List<String> args = new ArrayList<>(List.of("RAFT.SHARDGROUP", "REPLACE", Integer.toString(all.size())));
        for (ShardGroup g : all) args.addAll(g.toArgs());
        byte[][] argv = args.stream().map(ShardGroups::bytes).toArray(byte[][]::new);
        try {
            Resp answer = callLeader(target, targetGroup, argv);
            if (answer.isError()) throw new IOException(answer.asText());
        } catch (IOException e) {
            throw new MoveFailure("ERR the target shard group refused the new slot map: " + e.getMessage());
        }
    }

    private void replaceHere(List<ShardGroup> all) throws MoveFailure {
        List<String> args = new ArrayList<>(List.of(Integer.toString(all.size())));
        for (ShardGroup g : all) args.addAll(g.toArgs());
        await(onMain(() -> node.writeOwn(unit(ShardGroups.change("REPLACE", args)))), "changing the slot map");
        boolean applied = onMain(() -> groups.map().groups().equals(sorted(all)));
        if (!applied) throw new MoveFailure("ERR this shard group refused the new slot map (see the log)");
    }

    private static List<ShardGroup> sorted(List<ShardGroup> all) {
        List<ShardGroup> out = new ArrayList<>(all);
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    // ---- Plumbing ----

    /**
     * A command to the leader of the group {@code address} belongs to (a follower's MOVED is
     * followed once); if that node cannot be reached, through the others of {@code group}.
     * Only a refused connection moves on (the command was not sent): a command sent and not
     * answered is never sent again with the same fence.
     */
    private Resp callLeader(HostPort address, ShardGroup group, byte[][] argv) throws IOException {
        List<HostPort> candidates = new ArrayList<>(List.of(address));
        if (group != null) {
            for (ShardGroup.Node n : group.nodes()) {
                HostPort hp = HostPort.parse(n.address());
                if (hp != null && !candidates.contains(hp)) candidates.add(hp);
            }
        }
        ConnectException last = null;
        for (HostPort candidate : candidates) {
            try {
                return callLeader(candidate, argv);
            } catch (ConnectException e) {
                last = e;
            }
        }
        throw last;
    }

    private Resp callLeader(HostPort address, byte[][] argv) throws IOException {
        HostPort to = address;
        for (int hop = 0; hop < 2; hop++) {
            Resp answer;
            try (RespClient c = connections.open(to, (int) STEP_TIMEOUT_MS)) {
                answer = c.call(argv);
            }
            if (answer instanceof Resp.Error e && e.code().equals("MOVED")) {
                String[] parts = e.message().split(" ");
                HostPort leader = parts.length == 3 ? HostPort.parse(parts[2]) : null;
                if (leader == null) return answer;
                to = leader;
                continue;
            }
            return answer;
        }
        throw new IOException(address + " redirected more than once");
    }

    private void checkLeader() {
        if (!node.isLeaderReady()) throw new IllegalStateException("ERR not the leader of this shard group any more");
    }

    private static byte[] unit(byte[][] command) {
        return CommandCodec.encodeUnit(0, 0, command);
    }

    /** Runs {@code task} on the main thread; an IllegalStateException's message is the reply. */
    private <T> T onMain(Supplier<T> task) throws MoveFailure {
        try {
            return mainThread.submit(task).get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalStateException && c.getMessage() != null && c.getMessage().matches("^[A-Z]+ .*")) {
                throw new MoveFailure(c.getMessage());
            }
            throw new MoveFailure("ERR " + cause(e));
        } catch (InterruptedException | TimeoutException e) {
            throw new MoveFailure("ERR the main thread did not answer: " + cause(e));
        }
    }

    private static void await(CompletableFuture<Void> applied, String what) throws MoveFailure {
        try {
            applied.get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new MoveFailure("ERR " + what + " failed: " + cause(e) + " (run the move again to resume)");
        }
    }

    private static String cause(Throwable e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    public void close() {
        thread.shutdownNow();
    }
}
