package io.redisraft.determinism;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;

/**
 * SPOP with the same result on every node. Redis picks the members at random, so each
 * node would remove different ones. A client's SPOP goes into the log with the members
 * the leader proposes (SRANDMEMBER when the command is submitted); when it is applied,
 * every node removes those if they are all still members, which costs a few calls. If
 * they are not (another write took some first) or there are none (SPOP in a script),
 * every member gets a rank, a hash of its bytes keyed by a seed all nodes share (the
 * applied entry's time, the key and the set's size), and the members of lowest rank are
 * removed. The order of a set's members differs between processes, but ranks do not, so
 * neither does the choice; this costs a pass over the set (SSCAN page by page).
 */
public final class SetPop {
    /** Ends every SPOP the leader puts in the log: {@code <candidates...> <how many> LEADER_CHOICE}. */
    static final byte[] LEADER_CHOICE = bytes("\0raft:leader-choice");
    /** Larger counts go into the log without candidates (the entry would grow with them). */
    static final long MAX_CANDIDATES = 1000;
    private static final int SCAN_PAGE = 1000;
    private static final Comparator<byte[]> BYTES = Arrays::compareUnsigned;

    private final Function<byte[][], Resp> redis;

    /** {@code redis} runs a command locally and returns its reply. */
    public SetPop(Function<byte[][], Resp> redis) {
        this.redis = redis;
    }

    /** Leader: the SPOP as it goes into the log, with the members proposed for it now. */
    public byte[][] withLeaderChoice(byte[][] argv) {
        List<byte[]> proposed = new ArrayList<>();
        long count = argv.length == 2 ? 1 : argv.length == 3 ? parseCount(argv[2]) : -1;
        if (count > 0 && count <= MAX_CANDIDATES) {
            Resp picked = redis.apply(new byte[][] {bytes("SRANDMEMBER"), argv[1], bytes(Long.toString(count))});
            if (picked instanceof Resp.Array a && a.items() != null) {
                for (Resp m : a.items()) proposed.add(((Resp.Bulk) m).bytes());
            }
        }
        byte[][] out = Arrays.copyOf(argv, argv.length + proposed.size() + 2);
        for (int i = 0; i < proposed.size(); i++) out[argv.length + i] = proposed.get(i);
        out[out.length - 2] = bytes(Integer.toString(proposed.size()));
        out[out.length - 1] = LEADER_CHOICE;
        return out;
    }

    private static long parseCount(byte[] arg) {
        try {
            return Long.parseLong(new String(arg, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Runs {@code SPOP key [count]} (as the leader wrote it, or from a script) as Redis would answer it. */
    public Resp pop(byte[][] logged, long seedTime) {
        List<byte[]> proposed = new ArrayList<>();
        byte[][] argv = withoutLeaderChoice(logged, proposed);
        if (argv.length < 2) return Resp.error("ERR wrong number of arguments for 'spop' command");
        if (argv.length > 3) return Resp.error("ERR syntax error");
        boolean withCount = argv.length == 3;
        long count = 1;
        if (withCount) {
            try {
                count = Long.parseLong(new String(argv[2], StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return Resp.error("ERR value is not an integer or out of range");
            }
            if (count < 0) return Resp.error("ERR value is out of range, must be positive");
        }

        byte[] key = argv[1];
        Resp card = call("SCARD", key);
        if (!(card instanceof Resp.Int size)) return card; // WRONGTYPE
        if (size.value() == 0 || count == 0) return withCount ? Resp.array(List.of()) : Resp.NULL;
        List<byte[]> chosen;
        if (count >= size.value()) chosen = members(key);
        else if (allMembers(key, proposed, count)) chosen = proposed;
        else chosen = lowestRanks(key, (int) count, seed(seedTime, key, size.value()));
        byte[][] srem = new byte[chosen.size() + 2][];
        srem[0] = bytes("SREM");
        srem[1] = key;
        for (int i = 0; i < chosen.size(); i++) srem[i + 2] = chosen.get(i);
        Resp removed = redis.apply(srem);
        if (removed instanceof Resp.Error) return removed;
        if (!withCount) return new Resp.Bulk(chosen.get(0));
        List<Resp> reply = new ArrayList<>(chosen.size());
        for (byte[] m : chosen) reply.add(new Resp.Bulk(m));
        return Resp.array(reply);
    }

    private static byte[][] withoutLeaderChoice(byte[][] argv, List<byte[]> proposed) {
        int n = argv.length;
        if (n < 4 || !Arrays.equals(argv[n - 1], LEADER_CHOICE)) return argv;
        long count = parseCount(argv[n - 2]);
        if (count < 0 || count > n - 4) return argv;
        int first = n - 2 - (int) count;
        proposed.addAll(Arrays.asList(argv).subList(first, n - 2));
        return Arrays.copyOf(argv, first);
    }

    /** Whether the proposal is {@code count} distinct members of the set as it is now. */
    private boolean allMembers(byte[] key, List<byte[]> proposed, long count) {
        if (proposed.size() != count) return false;
        Set<String> distinct = new HashSet<>();
        for (byte[] m : proposed) distinct.add(new String(m, StandardCharsets.ISO_8859_1));
        if (distinct.size() != proposed.size()) return false;
        byte[][] check = new byte[proposed.size() + 2][];
        check[0] = bytes("SMISMEMBER");
        check[1] = key;
        for (int i = 0; i < proposed.size(); i++) check[i + 2] = proposed.get(i);
        Resp present = redis.apply(check);
        if (!(present instanceof Resp.Array a) || a.items() == null) return false;
        for (Resp r : a.items()) if (!(r instanceof Resp.Int i) || i.value() != 1) return false;
        return true;
    }

    /** All members, in byte order. */
    private List<byte[]> members(byte[] key) {
        List<byte[]> all = new ArrayList<>();
        for (Resp m : call("SMEMBERS", key).asList()) all.add(((Resp.Bulk) m).bytes());
        all.sort(BYTES);
        return all;
    }

    /** The {@code n} members of lowest rank, lowest first. */
    private List<byte[]> lowestRanks(byte[] key, int n, long seed) {
        // Highest rank on top, so the worst of the best n is dropped first.
        Comparator<Ranked> byRank = Comparator.comparingLong(Ranked::rank).thenComparing(Ranked::member, BYTES);
        PriorityQueue<Ranked> best = new PriorityQueue<>(byRank.reversed());
        // Members SSCAN returns twice (allowed when the table is resized) are counted once.
        Set<Ranked> seen = new HashSet<>();
        byte[] cursor = bytes("0");
        do {
            List<Resp> page = redis.apply(new byte[][] {bytes("SSCAN"), key, cursor, bytes("COUNT"),
                    bytes(Integer.toString(SCAN_PAGE))}).asList();
            cursor = ((Resp.Bulk) page.get(0)).bytes();
            for (Resp m : page.get(1).asList()) offer(best, seen, n, seed, ((Resp.Bulk) m).bytes(), byRank);
        } while (!Arrays.equals(cursor, bytes("0")));
        List<Ranked> chosen = new ArrayList<>(best);
        chosen.sort(byRank);
        List<byte[]> members = new ArrayList<>(chosen.size());
        for (Ranked r : chosen) members.add(r.member());
        return members;
    }

    private static void offer(PriorityQueue<Ranked> best, Set<Ranked> seen, int n, long seed, byte[] member,
                              Comparator<Ranked> byRank) {
        Ranked r = new Ranked(rank(seed, member), member);
        if (best.size() == n && byRank.compare(r, best.peek()) >= 0) return;
        if (!seen.add(r)) return;
        best.add(r);
        if (best.size() > n) seen.remove(best.poll());
    }

    /** The same on every node for the same entry, key and set size. */
    static long seed(long time, byte[] key, long size) {
        return mix(mix(time) ^ rank(size, key));
    }

    /** FNV-1a over the member's bytes, keyed by the seed, then mixed so nearby inputs spread. */
    static long rank(long seed, byte[] member) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : member) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private Resp call(String command, byte[] key) {
        return redis.apply(new byte[][] {bytes(command), key});
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Ranked(long rank, byte[] member) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ranked r && rank == r.rank && Arrays.equals(member, r.member);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(rank) * 31 + Arrays.hashCode(member);
        }
    }
}
