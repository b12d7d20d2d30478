package io.redisraft.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.config.ConfigOption;
import io.redisraft.config.RaftConfig;
import io.redisraft.expiry.Deadlines;
import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sharding state as the log changes it, against a keyspace kept in a map. */
class ShardGroupsTest {
    private static final String LOCAL = "a".repeat(32);
    private static final String OTHER = "b".repeat(32);
    private static final String OTHER_NODE = OTHER + "00000001";

    private final RaftConfig config = new RaftConfig();
    /** Keys (text) to their restore arguments; what the fake Redis holds. */
    private final Map<String, List<String>> keys = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private int changes;
    private ShardGroups groups;

    private Resp redis(byte[][] argv) {
        List<String> a = ShardGroups.texts(argv);
        calls.add(String.join(" ", a));
        return switch (a.get(0)) {
            case "EXISTS" -> Resp.integer(keys.containsKey(a.get(1)) ? 1 : 0);
            case "DEL" -> Resp.integer(keys.remove(a.get(1)) != null ? 1 : 0);
            case "RESTORE" -> {
                keys.put(a.get(1), a.subList(2, a.size()));
                yield Resp.OK;
            }
            case "SCAN" -> {
                List<Resp> found = new ArrayList<>();
                for (String k : keys.keySet()) found.add(Resp.bulk(k));
                yield Resp.array(Resp.bulk("0"), Resp.array(found));
            }
            default -> Resp.error("ERR unexpected " + a);
        };
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    private Resp apply(String... args) {
        return groups.internal(argv(args), true, 1_000_000);
    }

    private static int slot(String key) {
        return HashSlots.of(key.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void setUp() {
        config.set(ConfigOption.SHARDING, "1");
        config.set(ConfigOption.SLOT_CONFIG, "0:8191");
        groups = new ShardGroups(config, () -> LOCAL, () -> changes++, this::redis);
        assertEquals(Resp.OK, apply("RAFT._SHARDGROUPS", "ADD", OTHER, "1", "1", "8192", "16383", "1", "0",
                OTHER_NODE, "10.0.0.1:7000"));
    }

    /** Marks start..end of this group as migrating to OTHER in session 7 (and OTHER importing them). */
    private void migrating(int start, int end) {
        List<String> args = new ArrayList<>(List.of("RAFT._SHARDGROUPS", "REPLACE"));
        List<ShardGroup> all = groups.map().moving(start, end, OTHER, 7);
        args.add(Integer.toString(all.size()));
        for (ShardGroup g : all) args.addAll(g.toArgs());
        assertEquals(Resp.OK, apply(args.toArray(new String[0])));
    }

    @Test
    void clientCommandsAreRefusedOrGuarded() {
        String here = "k";
        for (int i = 0; slot(here) > 8191; i++) here = "k" + i;
        String there = "x";
        for (int i = 0; slot(there) <= 8191; i++) there = "x" + i;
        final String h = here;
        final String t = there;
        ShardGroups.Placement p = groups.place(List.<byte[][]>of(argv("SET", h, "v")), false, c -> List.of(c[1]));
        assertNull(p.refusal());
        assertArrayEquals(argv("RAFT._SLOT_GUARD", Integer.toString(slot(h)), "0", h), p.guard());
        assertEquals(Resp.error("MOVED " + slot(t) + " 10.0.0.1:7000"),
                groups.place(List.<byte[][]>of(argv("GET", t)), false, c -> List.of(c[1])).refusal());
        assertEquals(ShardGroups.CROSSSLOT,
                groups.place(List.<byte[][]>of(argv("SET", h, "1"), argv("SET", t, "2")), false, c -> List.of(c[1])).refusal());
        assertEquals(slot(h), p.slot(), "a follower's redirection names the keys' slot");

        config.set(ConfigOption.SHARDING, "0");
        assertNull(groups.place(List.<byte[][]>of(argv("GET", t)), false, c -> List.of(c[1])).guard());
    }

    @Test
    void aMigratingSlotServesKeysStillHereAsksForOthersAndWaitsForLockedOnes() {
        String k1 = "{s}1";
        String k2 = "{s}2";
        int s = slot(k1);
        assertTrue(s <= 8191);
        keys.put(k1, List.of("0", "payload"));
        migrating(s, s);
        String slot = Integer.toString(s);
        assertEquals(Resp.OK, apply("RAFT._SLOT_GUARD", slot, "0", k1));
        assertEquals(ShardGroups.TRYAGAIN, apply("RAFT._SLOT_GUARD", slot, "0", k1, k2), "some keys still here");
        assertEquals(Resp.error("ASK " + s + " 10.0.0.1:7000"), apply("RAFT._SLOT_GUARD", slot, "0", k2));

        assertEquals(Resp.OK, apply("RAFT._KEYLOCKS", "LOCK", k1));
        assertTrue(groups.isLocked(k1.getBytes(StandardCharsets.UTF_8)));
        assertEquals(ShardGroups.TRYAGAIN, apply("RAFT._SLOT_GUARD", slot, "0", k1), "being moved");
        assertEquals(Resp.OK, apply("RAFT._KEYLOCKS", "UNLOCK", k1));
        assertEquals(Resp.OK, apply("RAFT._SLOT_GUARD", slot, "0", k1));
        // Keys of a stable slot cannot be locked; guards change nothing outside the log.
        String stable = "{other}";
        for (int i = 0; slot(stable) == s || slot(stable) > 8191; i++) stable = "{o" + i + "}";
        assertTrue(apply("RAFT._KEYLOCKS", "LOCK", stable).isError());
        assertTrue(groups.internal(argv("RAFT._KEYLOCKS", "LOCK", k1), false, 0).isError());
    }

    @Test
    void importsAreFencedAndKeepDeadlines() {
        // OTHER (serving 8192-16383) imports slot s from this group: the move as its target sees it.
        String k = "{t}1";
        for (int i = 0; slot(k) > 8191; i++) k = "{t" + i + "}1";
        int s = slot(k);
        RaftConfig otherConfig = new RaftConfig();
        otherConfig.set(ConfigOption.SHARDING, "1");
        otherConfig.set(ConfigOption.SLOT_CONFIG, "8192:16383");
        ShardGroups target = new ShardGroups(otherConfig, () -> OTHER, () -> changes++, this::redis);
        keys.put(k, List.of("stale")); // left by an import that was undone: emptied when the import starts
        String servedThere = "{u}";
        for (int i = 0; slot(servedThere) < 8192; i++) servedThere = "{u" + i + "}";
        keys.put(servedThere, List.of("kept")); // a slot it serves: its keys stay
        List<String> args = new ArrayList<>(List.of("RAFT._SHARDGROUPS", "REPLACE"));
        List<ShardGroup> all = groups.map().moving(s, s, OTHER, 7);
        args.add(Integer.toString(all.size()));
        for (ShardGroup g : all) args.addAll(g.toArgs());
        assertEquals(Resp.OK, target.internal(argv(args.toArray(new String[0])), true, 0));
        assertEquals(List.of(servedThere), new ArrayList<>(keys.keySet()), "only the importing slot was emptied");

        long now = 1_000_000;
        assertEquals(Resp.OK, target.internal(argv("RAFT._IMPORT", "5", "7", k, Long.toString(now + 500), "p"), true, now));
        assertEquals(List.of(Long.toString(now + 500 + Deadlines.SHIFT_MS), "p", "REPLACE", "ABSTTL"), keys.get(k));
        // RedisRaft's replies: an older importer, another session, a slot not being imported.
        assertEquals("ERR invalid term", target.internal(argv("RAFT._IMPORT", "4", "7", k, "0", "q"), true, now).asText());
        assertEquals("ERR invalid migration_session_key",
                target.internal(argv("RAFT._IMPORT", "6", "8", k, "0", "q"), true, now).asText());
        String elsewhere = "{elsewhere}";
        for (int i = 0; slot(elsewhere) == s; i++) elsewhere = "{e" + i + "}";
        assertEquals("ERR not an importing slot",
                target.internal(argv("RAFT._IMPORT", "6", "7", elsewhere, "0", "q"), true, now).asText());
        // A deadline already past: the key is not restored (and an earlier copy goes).
        assertEquals(Resp.OK, target.internal(argv("RAFT._IMPORT", "6", "7", k, Long.toString(now - 1), "p"), true, now));
        assertNull(keys.get(k));
        assertEquals(Resp.OK, target.internal(argv("RAFT._IMPORT", "6", "7", k, "0", "p"), true, now));
        assertEquals(List.of("0", "p", "REPLACE"), keys.get(k));

        // What snapshots carry comes back as it was.
        String state = target.current();
        ShardGroups restored = new ShardGroups(otherConfig, () -> OTHER, () -> { }, this::redis);
        restored.replaced(state);
        assertEquals(target.map(), restored.map());
        assertEquals(state, restored.current());
        restored.replaced("");
        assertEquals("", restored.current());
    }
}
