package io.redisraft.info;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerLinksTest {
    private static final long ELECTION_MS = 1000;

    @Test
    void aLinkCountsEachTimeItComesUpAndEachTimeItIsLost() {
        PeerLinks links = new PeerLinks();
        links.observe("2", 50, ELECTION_MS);
        links.observe("2", 80, ELECTION_MS);
        links.observe("2", 1500, ELECTION_MS);
        links.observe("2", 2500, ELECTION_MS);
        PeerLinks.Link link = links.observe("2", 10, ELECTION_MS);
        assertEquals(2, link.oks());
        assertEquals(1, link.errors());
    }

    @Test
    void aLinkThatNeverCameUpIsOneError() {
        PeerLinks.Link link = new PeerLinks().observe("3", 5000, ELECTION_MS);
        assertEquals(0, link.oks());
        assertEquals(1, link.errors());
    }

    @Test
    void anUntrackedPeerIsNotJudged() {
        PeerLinks links = new PeerLinks();
        links.observe("4", 10, ELECTION_MS);
        PeerLinks.Link link = links.observe("4", -1, ELECTION_MS);
        assertEquals(1, link.oks());
        assertEquals(0, link.errors());
    }

    @Test
    void peersThatLeftAreForgotten() {
        PeerLinks links = new PeerLinks();
        links.observe("5", 10, ELECTION_MS);
        links.retainOnly(Set.of());
        assertEquals(0, links.observe("5", -1, ELECTION_MS).oks());
    }
}
