package io.redisraft.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free 127.0.0.1 ports for test servers. A node needs its Redis port and the Raft
 * port the module derives from it (Redis port + 10000), so both are checked.
 */
public final class Ports {
    private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    private Ports() {}

    public static int freeRedisPort() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(21000, 45000);
            if (!handedOut.contains(port) && free(port) && free(port + 10000) && handedOut.add(port)) return port;
        }
        throw new IllegalStateException("no free port pair found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
