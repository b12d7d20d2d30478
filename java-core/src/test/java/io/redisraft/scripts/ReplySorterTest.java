package io.redisraft.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.resp.Resp;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplySorterTest {
    private static Resp strings(String... items) {
        return Resp.array(List.of(items).stream().map(Resp::bulk).toList());
    }

    @Test
    void elementsAreSortedByTheirBytes() {
        assertEquals(strings("10", "2", "a", "b"), ReplySorter.sort("smembers", strings("b", "10", "a", "2")));
        assertEquals(strings("A", "a", "\u00e9"), ReplySorter.sort("keys", strings("\u00e9", "a", "A")));
    }

    @Test
    void hgetallKeepsFieldsWithTheirValues() {
        assertEquals(strings("a", "3", "b", "1", "c", "2"),
                ReplySorter.sort("hgetall", strings("c", "2", "a", "3", "b", "1")));
    }

    @Test
    void theSameMembersInAnyOrderGiveTheSameReply() {
        Resp one = ReplySorter.sort("sinter", strings("x", "y", "z", "w"));
        Resp two = ReplySorter.sort("sinter", strings("w", "z", "y", "x"));
        assertEquals(one, two);
    }

    @Test
    void otherRepliesAreLeftAlone() {
        assertEquals(Resp.integer(3), ReplySorter.sort("smembers", Resp.integer(3)));
        Resp error = Resp.error("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertEquals(error, ReplySorter.sort("smembers", error));
        assertEquals(Resp.array(), ReplySorter.sort("smembers", Resp.array()));
    }
}
