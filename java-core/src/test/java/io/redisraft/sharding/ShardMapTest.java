package io.redisraft.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardMapTest {
    private static final String LOCAL = "a".repeat(32);
    private static final String OTHER = "b".repeat(32);
    private static final String THIRD = "c".repeat(32);

    private static ShardGroup group(String spec) throws ShardGroupSyntaxException {
        List<String> args = Arrays.asList(spec.split(" "));
        ShardGroup.Parsed p = ShardGroup.parse(args, 0, 2);
        assertEquals(args.size(), p.used());
        return p.group();
    }

    private static String node(String group, int n) {
        return group + String.format("%08x", n);
    }

    @Test
    void aFreshClusterServesItsSlotConfigAlone() {
        ShardMap all = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:16383"));
        assertFalse(all.divided(), "one cluster owning every slot is not sharding");
        assertInstanceOf(ShardMap.Local.class, all.route(123, false));

        ShardMap some = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:99,200"));
        assertTrue(some.divided());
        assertInstanceOf(ShardMap.Local.class, some.route(200, false));
        assertInstanceOf(ShardMap.Unserved.class, some.route(100, false));
        assertInstanceOf(ShardMap.Unserved.class, ShardMap.initial(LOCAL, SlotRange.parseConfig("")).route(0, false));
    }

    @Test
    void addedGroupsServeTheirSlotsElsewhere() throws Exception {
        ShardMap map = ShardMap.initial(LOCAL, SlotRange.parseConfig("0"))
                .add(group(OTHER + " 1 1 1 16382 1 0 " + node(OTHER, 1) + " 1.1.1.1:1111"));
        ShardMap.Route r = map.route(5000, false);
        assertInstanceOf(ShardMap.Moved.class, r);
        assertEquals("1.1.1.1:1111", ((ShardMap.Moved) r).group().nodes().get(0).address());
        assertInstanceOf(ShardMap.Unserved.class, map.route(16383, false));

        // The same id again, or slots already served, are refused with RedisRaft's errors.
        ShardGroupSyntaxException again = assertThrows(ShardGroupSyntaxException.class,
                () -> map.add(group(OTHER + " 1 1 16383 16383 1 0 " + node(OTHER, 1) + " 1.1.1.1:1111")));
        assertEquals("ERR Invalid ShardGroup Update", again.getMessage());
        ShardGroupSyntaxException taken = assertThrows(ShardGroupSyntaxException.class,
                () -> map.add(group(THIRD + " 1 0 16382 16383 1 0")));
        assertTrue(taken.getMessage().startsWith("ERR invalid shardgroup configuration"), taken.getMessage());
    }

    @Test
    void replaceChecksTheWholeConfiguration() throws Exception {
        ShardMap map = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:16383"));
        ShardGroup local = group(LOCAL + " 1 0 0 5 1 0");
        ShardGroup other = group(OTHER + " 1 1 6 16383 1 0 " + node(OTHER, 2) + " 3.3.3.3:3333");
        ShardMap replaced = map.replace(List.of(other, local));
        assertEquals(List.of(LOCAL, OTHER), replaced.groups().stream().map(ShardGroup::id).toList());
        assertInstanceOf(ShardMap.Moved.class, replaced.route(100, false));

        ShardGroup overlapping = group(THIRD + " 1 0 5 5 1 0");
        assertEquals("ERR Unable to validate shard groups: shard group already owns this slot",
                assertThrows(ShardGroupSyntaxException.class,
                        () -> map.replace(List.of(local, other, overlapping))).getMessage());
        assertTrue(assertThrows(ShardGroupSyntaxException.class, () -> map.replace(List.of(other))).getMessage()
                .contains("no shard group is this cluster"));
        assertTrue(assertThrows(ShardGroupSyntaxException.class, () -> map.replace(List.of(local, local))).getMessage()
                .contains("given twice"));
    }

    @Test
    void aMovingSlotIsServedByItsSourceAndByItsTargetWhenAsked() throws Exception {
        ShardMap source = ShardMap.initial(LOCAL, List.of()).replace(List.of(
                group(LOCAL + " 2 0 0 99 1 0 100 100 3 7"),
                group(OTHER + " 2 1 101 16383 1 0 100 100 2 7 " + node(OTHER, 1) + " 1.1.1.1:1")));
        assertEquals(new ShardMap.Local(SlotRange.Type.MIGRATING), source.route(100, false));
        assertEquals(OTHER, source.importer(100).id());

        ShardMap target = ShardMap.initial(OTHER, List.of()).replace(source.groups());
        assertInstanceOf(ShardMap.Moved.class, target.route(100, false), "not asking: the source serves it");
        assertEquals(new ShardMap.Local(SlotRange.Type.IMPORTING), target.route(100, true));

        assertEquals("ERR Unable to validate shard groups: shard group already importing this slot",
                assertThrows(ShardGroupSyntaxException.class, () -> source.replace(List.of(
                        group(LOCAL + " 1 0 100 100 2 7"), group(OTHER + " 1 0 100 100 2 7")))).getMessage());
        assertEquals("ERR Unable to validate shard groups: slot marked for resharding",
                assertThrows(ShardGroupSyntaxException.class, () -> source.replace(List.of(
                        group(LOCAL + " 1 0 100 100 3 7"), group(OTHER + " 1 0 100 100 1 0")))).getMessage());
    }

    @Test
    void linkedGroupsDescribeThemselves() throws Exception {
        ShardMap map = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:99"))
                .add(group(OTHER + " 1 1 100 199 1 0 " + node(OTHER, 1) + " 1.1.1.1:1"));
        ShardMap updated = map.update(List.of(group(OTHER + " 1 2 5000 6000 1 0 " + node(OTHER, 2) + " 2.2.2.2:2 "
                + node(OTHER, 1) + " 1.1.1.1:1")));
        assertEquals("2.2.2.2:2", ((ShardMap.Moved) updated.route(5000, false)).group().nodes().get(0).address());
        assertInstanceOf(ShardMap.Unserved.class, updated.route(150, false));
        assertThrows(ShardGroupSyntaxException.class, () -> map.update(List.of(group(THIRD + " 0 0"))));
        assertThrows(ShardGroupSyntaxException.class, () -> map.update(List.of(group(LOCAL + " 0 0"))));
        assertThrows(ShardGroupSyntaxException.class,
                () -> map.update(List.of(group(OTHER + " 1 0 50 150 1 0"))), "it may not take this cluster's slots");
    }

    @Test
    void aMoveMarksBothGroupsThenHandsTheSlotsOver() throws Exception {
        ShardMap source = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:999"))
                .add(group(OTHER + " 1 1 1000 16383 1 0 " + node(OTHER, 1) + " 1.1.1.1:1"));
        ShardMap moving = source.replace(source.moving(100, 199, OTHER, 42));
        assertEquals(List.of(new SlotRange(0, 99, SlotRange.Type.STABLE, 0), new SlotRange(100, 199, SlotRange.Type.MIGRATING, 42),
                new SlotRange(200, 999, SlotRange.Type.STABLE, 0)), moving.local().ranges());
        assertEquals(List.of(new SlotRange(100, 199, SlotRange.Type.IMPORTING, 42),
                new SlotRange(1000, 16383, SlotRange.Type.STABLE, 0)), moving.group(OTHER).ranges());
        ShardMap done = moving.replace(moving.moved(100, 199, OTHER));
        assertEquals(List.of(new SlotRange(0, 99, SlotRange.Type.STABLE, 0), new SlotRange(200, 999, SlotRange.Type.STABLE, 0)),
                done.local().ranges());
        assertEquals(List.of(new SlotRange(100, 199, SlotRange.Type.STABLE, 0), new SlotRange(1000, 16383, SlotRange.Type.STABLE, 0)),
                done.group(OTHER).ranges());
        assertInstanceOf(ShardMap.Moved.class, done.route(150, false));
    }

    @Test
    void theEncodingRoundTrips() throws Exception {
        ShardMap map = ShardMap.initial(LOCAL, SlotRange.parseConfig("0:99,300"))
                .add(group(OTHER + " 2 2 100 199 1 0 200 200 1 0 " + node(OTHER, 1) + " 1.1.1.1:1 "
                        + node(OTHER, 2) + " [::1]:6380"));
        String text = map.encode();
        assertFalse(text.contains("\n"));
        assertEquals(map, ShardMap.decode(LOCAL, text));
        assertEquals(map.groups(), ShardMap.decode(LOCAL, text).groups());
    }

    @Test
    void parseErrorsAreRedisRafts() {
        List<String> args = new ArrayList<>(List.of("short", "1", "1"));
        assertEquals("ERR shard group id must be 32 characters (argv[2])",
                assertThrows(ShardGroupSyntaxException.class, () -> ShardGroup.parse(args, 0, 2)).getMessage());
        assertTrue(assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parse(List.of(OTHER, "1", "1", "0", "16383", "1", node(OTHER, 1), "2.2.2.2:2"), 0, 2))
                .isArityError(), "a range has four fields");
        assertEquals("ERR failed to parse slot range (argv[5]:argv[8])", assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parse(List.of(OTHER, "1", "0", "0", "16384", "1", "0"), 0, 2)).getMessage());
        assertEquals("ERR failed to parse slot range (argv[5]:argv[8])", assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parse(List.of(OTHER, "1", "0", "0", "10", "4", "0"), 0, 2)).getMessage());
        assertEquals("ERR node id must be 40 characters (argv[5])", assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parse(List.of(OTHER, "0", "1", "x", "1.1.1.1:1"), 0, 2)).getMessage());
        assertEquals("ERR failed to parse node address (argv[6])", assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parse(List.of(OTHER, "0", "1", node(OTHER, 1), "nowhere"), 0, 2)).getMessage());
        assertEquals("ERR invalid shard group message (extra arguments)", assertThrows(ShardGroupSyntaxException.class,
                () -> ShardGroup.parseAll(List.of("1", OTHER, "0", "0", "extra"), 2)).getMessage());
    }
}
