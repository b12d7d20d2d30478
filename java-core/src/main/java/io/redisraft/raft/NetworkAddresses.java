package io.redisraft.raft;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.io.IOException;
import java.util.Collections;

/** Addresses of this host: RedisRaft's default for raft.addr, and what the Raft port can bind to. */
final class NetworkAddresses {
    private NetworkAddresses() {}

    /**
     * Where the Raft port listens: raft.rpc-bind if set; else the advertised host if it is
     * an address of this host; else every address (the advertised one belongs to a NAT,
     * container host, load balancer or DNS name, which this host cannot bind).
     */
    static String bindHost(String configured, String advertisedHost) {
        if (!configured.isEmpty()) return configured;
        return isLocal(advertisedHost) ? advertisedHost : "0.0.0.0";
    }

    /**
     * Fails if nothing can listen on host:port now (e.g. the port is taken). Checked before
     * a Raft server is built: with Ratis's Netty transport, 25 INITs that failed to bind a
     * taken port used up 48 MB of direct memory although each failed server was closed
     * (OptionsTest), so a port that cannot be bound must not get that far.
     */
    static void checkBindable(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IOException("cannot listen on the Raft port " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    static boolean isLocal(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isAnyLocalAddress() || a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            }
        } catch (IOException e) {
            // an unresolvable name is not one of ours
        }
        return false;
    }

    static String firstNonLoopback() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) continue;
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) return a.getHostAddress();
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        return "127.0.0.1";
    }
}
