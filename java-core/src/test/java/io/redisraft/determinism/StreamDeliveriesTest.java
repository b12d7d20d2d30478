package io.redisraft.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamDeliveriesTest {
    private static byte[][] argv(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    private static List<String> text(byte[][] argv) {
        return Arrays.stream(argv).map(a -> new String(a, StandardCharsets.UTF_8)).toList();
    }

    private static Resp entry(String id, String... fields) {
        return Resp.array(Resp.bulk(id), Resp.array(Arrays.stream(fields).map(Resp::bulk).toList()));
    }

    @Test
    void claimsGetTheirDeliveryTimeFromTheEntry() {
        long now = 1_000_000;
        assertEquals(List.of("XCLAIM", "s", "g", "c", "300", "1-1", "2", "JUSTID", "TIME", "1000000"),
                text(StreamDeliveries.claimAt(argv("XCLAIM", "s", "g", "c", "300", "1-1", "2", "JUSTID"), now)));
        assertEquals(List.of("XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "3", "TIME", "995000"),
                text(StreamDeliveries.claimAt(argv("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "5000",
                        "RETRYCOUNT", "3"), now)));
        assertEquals(List.of("XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "9-9", "TIME", "42"),
                text(StreamDeliveries.claimAt(argv("XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "42",
                        "LASTID", "9-9"), now)));
        // As Redis does with its clock: a time in the future, or before 0, becomes now.
        assertEquals("1000000", text(StreamDeliveries.claimAt(argv("XCLAIM", "s", "g", "c", "0", "1-1", "TIME",
                "2000000"), now)).get(7));
        assertEquals("1000000", text(StreamDeliveries.claimAt(argv("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE",
                "-5"), now)).get(7));
        // Malformed options are left for Redis to answer.
        byte[][] malformed = argv("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "soon");
        assertSame(malformed, StreamDeliveries.claimAt(malformed, now));
        byte[][] dangling = argv("XCLAIM", "s", "g", "c", "0", "1-1", "TIME");
        assertSame(dangling, StreamDeliveries.claimAt(dangling, now));
    }

    @Test
    void groupReadsAndAutoClaimsAreStampedAgainWithoutChangingCountsOrOwners() {
        Resp read = Resp.array(
                Resp.array(Resp.bulk("a"), Resp.array(entry("1-1", "f", "v"), Resp.array(Resp.bulk("2-1"),
                        Resp.NULL_ARRAY))),
                Resp.array(Resp.bulk("b"), Resp.array()));
        List<StreamDeliveries.Delivered> delivered = StreamDeliveries.readByGroup(read);
        assertEquals(1, delivered.size(), "a deleted entry (nil fields) keeps its time, as in Redis");
        assertEquals("a", new String(delivered.get(0).key(), StandardCharsets.UTF_8));
        assertEquals(List.of("1-1"), delivered.get(0).ids().stream().map(String::new).toList());
        assertTrue(StreamDeliveries.readByGroup(Resp.NULL_ARRAY).isEmpty());

        Resp autoClaim = Resp.array(Resp.bulk("0-0"), Resp.array(entry("3-1", "f", "v")), Resp.array());
        assertEquals(List.of("3-1"), StreamDeliveries.autoClaimed(autoClaim).stream().map(String::new).toList());
        Resp justIds = Resp.array(Resp.bulk("0-0"), Resp.array(Resp.bulk("3-1"), Resp.bulk("4-1")), Resp.array());
        assertEquals(List.of("3-1", "4-1"), StreamDeliveries.autoClaimed(justIds).stream().map(String::new).toList());

        assertEquals(List.of("XCLAIM", "a", "g", "c", "0", "1-1", "TIME", "77", "JUSTID"),
                text(StreamDeliveries.restamp("a".getBytes(), "g".getBytes(), "c".getBytes(),
                        List.of("1-1".getBytes()), 77)));
    }

    @Test
    void onlyGroupReadsWithoutNoAckAddPendingEntries() {
        assertTrue(StreamDeliveries.addsPending(argv("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")));
        assertFalse(StreamDeliveries.addsPending(argv("xreadgroup", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")));
        assertTrue(StreamDeliveries.addsPending(argv("XREADGROUP", "GROUP", "g", "c", "STREAMS", "noack", ">")),
                "a stream named noack");
        assertFalse(StreamDeliveries.addsPending(argv("XREAD", "STREAMS", "s", "$")));
        assertEquals(List.of("g", "c"), text(StreamDeliveries.groupAndConsumer(argv("XREADGROUP", "COUNT", "1",
                "GROUP", "g", "c", "STREAMS", "s", ">"))));
    }

    @Test
    void resp3CallersGetAMapFromStreamToEntries() {
        Resp read = Resp.array(Resp.array(Resp.bulk("a"), Resp.array(entry("1-1", "f", "v"))));
        assertEquals(new Resp.Map(List.of(Resp.bulk("a"), Resp.array(entry("1-1", "f", "v")))),
                StreamDeliveries.asResp3(read));
        assertSame(Resp.NULL_ARRAY, StreamDeliveries.asResp3(Resp.NULL_ARRAY));
    }
}
