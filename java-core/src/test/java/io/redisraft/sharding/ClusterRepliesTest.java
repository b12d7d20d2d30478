package io.redisraft.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.resp.Resp;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterRepliesTest {
    private static final String LOCAL = "a".repeat(32);
    private static final String OTHER = "b".repeat(32);

    private static ShardMap map() throws ShardGroupSyntaxException {
        return ShardMap.initial(LOCAL, List.of()).replace(List.of(
                ShardGroup.parse(Arrays.asList((LOCAL + " 2 0 0 99 1 0 100 100 3 5").split(" ")), 0, 2).group(),
                ShardGroup.parse(Arrays.asList((OTHER + " 2 2 101 16383 1 0 100 100 2 5 " + OTHER + "00000009 10.0.0.9:7000 "
                        + OTHER + "00000008 10.0.0.8:7000").split(" ")), 0, 2).group()));
    }

    private static final List<ShardGroup.Node> LOCAL_NODES = List.of(
            new ShardGroup.Node(LOCAL + "00000002", "127.0.0.1:5002"),
            new ShardGroup.Node(LOCAL + "00000001", "127.0.0.1:5001"));

    @Test
    void slotsListEveryGroupLeaderFirstButNotSlotsBeingImported() throws Exception {
        Resp slots = new ClusterReplies(map(), LOCAL_NODES, LOCAL + "00000001", 7).slots();
        List<Resp> entries = slots.asList();
        assertEquals(3, entries.size());
        assertEquals(Resp.array(Resp.integer(0), Resp.integer(99),
                Resp.array(Resp.bulk("127.0.0.1"), Resp.integer(5002), Resp.bulk(LOCAL + "00000002")),
                Resp.array(Resp.bulk("127.0.0.1"), Resp.integer(5001), Resp.bulk(LOCAL + "00000001"))), entries.get(0));
        assertEquals(Resp.integer(100), entries.get(1).asList().get(0), "the migrating slot is still the source's");
        assertEquals(Resp.integer(101), entries.get(2).asList().get(0));
        assertEquals(Resp.bulk("10.0.0.9"), entries.get(2).asList().get(2).asList().get(0));
    }

    @Test
    void nodesMarkMastersSelfAndMovingSlots() throws Exception {
        String nodes = new ClusterReplies(map(), LOCAL_NODES, LOCAL + "00000001", 7).nodes();
        assertEquals(String.join("\n",
                LOCAL + "00000002 127.0.0.1:5002@5002 master - 0 0 7 connected 0-99 100 [100->-" + OTHER + "00000009]",
                LOCAL + "00000001 127.0.0.1:5001@5001 myself,slave " + LOCAL + "00000002 0 0 7 connected",
                OTHER + "00000009 10.0.0.9:7000@7000 master - 0 0 7 connected 101-16383 [100-<-" + LOCAL + "00000002]",
                OTHER + "00000008 10.0.0.8:7000@7000 slave " + OTHER + "00000009 0 0 7 connected") + "\n", nodes);
    }

    @Test
    void shardsGiveSlotPairsAndNodeRoles() throws Exception {
        List<Resp> shards = new ClusterReplies(map(), LOCAL_NODES, LOCAL + "00000001", 7).shards().asList();
        assertEquals(2, shards.size());
        assertEquals(Resp.array(Resp.integer(0), Resp.integer(99), Resp.integer(100), Resp.integer(100)),
                shards.get(0).asList().get(1));
        List<Resp> otherNodes = shards.get(1).asList().get(3).asList();
        assertEquals(Resp.bulk("master"), otherNodes.get(0).asList().get(9));
        assertEquals(Resp.bulk("replica"), otherNodes.get(1).asList().get(9));
    }
}
