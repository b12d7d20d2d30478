package io.redisraft.raft;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
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
