package io.redisraft.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NetworkAddressesTest {
    @Test
    void aConfiguredBindAddressWins() {
        assertEquals("127.0.0.1", NetworkAddresses.bindHost("127.0.0.1", "redis.example.invalid"));
    }

    @Test
    void aLocalAdvertisedHostIsBound() {
        assertEquals("127.0.0.1", NetworkAddresses.bindHost("", "127.0.0.1"));
        assertEquals("localhost", NetworkAddresses.bindHost("", "localhost"));
    }

    @Test
    void anAdvertisedHostThisMachineDoesNotOwnMeansEveryAddress() {
        assertEquals("0.0.0.0", NetworkAddresses.bindHost("", "redis.example.invalid"));
        assertEquals("0.0.0.0", NetworkAddresses.bindHost("", "192.0.2.10"));
    }
}
