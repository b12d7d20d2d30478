package io.redisraft.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SetPopTest {
    /**
     * One node's set: the same members as another node's, iterated in this node's own
     * order (as each process's hash table does), answering the commands SetPop uses.
     */
    private static final class NodeSet {
        final List<String> members = new ArrayList<>();

        NodeSet(List<String> content, long iterationSeed) {
            members.addAll(content);
            Collections.shuffle(members, new Random(iterationSeed));
        }

        Resp call(byte[][] argv) {
            String cmd = text(argv[0]);
            switch (cmd) {
                case "SCARD":
                    return Resp.integer(members.size());
                case "SMEMBERS":
                    return bulks(members);
                case "SSCAN": {
                    int from = Integer.parseInt(text(argv[2]));
                    int to = Math.min(members.size(), from + 100);
                    return Resp.array(Resp.bulk(to == members.size() ? "0" : Integer.toString(to)),
                            bulks(members.subList(from, to)));
                }
                case "SMISMEMBER": {
                    List<Resp> r = new ArrayList<>();
                    for (int i = 2; i < argv.length; i++) r.add(Resp.integer(members.contains(text(argv[i])) ? 1 : 0));
                    return Resp.array(r);
                }
                case "SREM": {
                    int removed = 0;
                    for (int i = 2; i < argv.length; i++) if (members.remove(text(argv[i]))) removed++;
                    return Resp.integer(removed);
                }
                case "SRANDMEMBER":
                    return bulks(members.subList(0, Math.min(members.size(), Integer.parseInt(text(argv[2])))));
                default:
                    throw new IllegalArgumentException(cmd);
            }
        }
    }

    private static List<String> content(int n) {
        List<String> m = new ArrayList<>();
        for (int i = 0; i < n; i++) m.add("member-" + i);
        return m;
    }

    private static Resp pop(NodeSet node, long time, String... args) {
        byte[][] argv = new byte[args.length + 2][];
        argv[0] = bytes("SPOP");
        argv[1] = bytes("s");
        for (int i = 0; i < args.length; i++) argv[i + 2] = bytes(args[i]);
        return new SetPop(node::call).pop(argv, time);
    }

    @Test
    void nodesIteratingTheirSetsDifferentlyPopTheSameMembers() {
        for (int size : new int[] {3, 100, 101, 5000}) {
            NodeSet a = new NodeSet(content(size), 1);
            NodeSet b = new NodeSet(content(size), 2);
            for (long t = 1; t <= 5; t++) {
                assertEquals(pop(a, t), pop(b, t), "single pop, size " + size);
                assertEquals(pop(a, t, "3"), pop(b, t, "3"), "pop of 3, size " + size);
            }
            assertEquals(Math.max(0, size - 20), a.members.size());
            assertEquals(new java.util.HashSet<>(a.members), new java.util.HashSet<>(b.members));
        }
    }

    @Test
    void theLeadersProposalIsUsedWhileItsMembersAreAllThere() {
        NodeSet leader = new NodeSet(content(50), 7);
        byte[][] logged = new SetPop(leader::call).withLeaderChoice(new byte[][] {bytes("SPOP"), bytes("s"), bytes("2")});
        String first = leader.members.get(0);
        String second = leader.members.get(1);
        NodeSet follower = new NodeSet(content(50), 8);
        assertEquals(Resp.array(Resp.bulk(first), Resp.bulk(second)), new SetPop(follower::call).pop(logged, 1));
        // Once a proposed member is gone, every node falls back to the ranks, alike.
        NodeSet a = new NodeSet(content(50), 9);
        NodeSet b = new NodeSet(content(50), 10);
        a.members.remove(first);
        b.members.remove(first);
        Resp fromA = new SetPop(a::call).pop(logged, 1);
        assertEquals(fromA, new SetPop(b::call).pop(logged, 1));
        assertNotEquals(Resp.array(Resp.bulk(first), Resp.bulk(second)), fromA);
    }

    @Test
    void argumentsAfterTheProposalAreTheClientsOwn() {
        NodeSet node = new NodeSet(content(5), 1);
        byte[][] logged = new SetPop(node::call).withLeaderChoice(
                new byte[][] {bytes("SPOP"), bytes("s"), bytes("1"), bytes("2")});
        assertEquals(Resp.error("ERR syntax error"), new SetPop(node::call).pop(logged, 1));
        assertEquals(5, node.members.size());
    }

    private static Resp bulks(List<String> items) {
        List<Resp> r = new ArrayList<>();
        for (String s : items) r.add(Resp.bulk(s));
        return Resp.array(r);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
