package io.redisraft.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A private network for test nodes: one Linux network namespace per node, each with
 * a veth pair onto a bridge that also carries an address in the test's own namespace
 * (so the test reaches every node). Partitions are blackhole routes inside the
 * namespaces: traffic between cut nodes is silently dropped, like a failed link,
 * while the test still talks to every node. Needs root and iproute2; everything is
 * removed on close.
 */
public final class NetnsNetwork implements AutoCloseable {
    private static final Set<NetnsNetwork> open = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NetnsNetwork n : new ArrayList<>(open)) n.close();
        }, "remove-test-networks"));
    }

    private final String prefix;
    private final int subnet;
    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();
    private final Set<String> blackholes = new HashSet<>();

    private NetnsNetwork(int subnet) {
        this.prefix = "rr" + ProcessHandle.current().pid() % 1000 + "s" + subnet;
        this.subnet = subnet;
        this.bridge = prefix + "br";
    }

    /**
     * Creates the bridge on a subnet of 10.77/16 that no interface of this machine uses
     * (another test run, or one that was killed before it could clean up, may hold one);
     * throws (with the reason) if this machine does not allow it.
     */
    public static synchronized NetnsNetwork create() {
        String inUse = output("-o", "addr", "show");
        int start = (int) (ProcessHandle.current().pid() % 250);
        int subnet = 0;
        for (int i = 0; i < 250 && subnet == 0; i++) {
            int candidate = (start + i) % 250 + 1;
            if (!inUse.contains(" 10.77." + candidate + ".")) subnet = candidate;
        }
        if (subnet == 0) throw new IllegalStateException("no free subnet in 10.77.0.0/16");
        NetnsNetwork n = new NetnsNetwork(subnet);
        n.ip("link", "add", n.bridge, "type", "bridge");
        open.add(n);
        n.ip("addr", "add", n.gateway() + "/24", "dev", n.bridge);
        n.ip("link", "set", n.bridge, "up");
        return n;
    }

    public String gateway() {
        return "10.77." + subnet + ".1";
    }

    /** Adds host i (0-based): a namespace with one interface; returns its address. */
    public String addHost(int i) {
        String ns = prefix + "n" + i;
        String veth = prefix + "v" + i;
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("link", "add", veth, "type", "veth", "peer", "name", veth + "p");
        ip("link", "set", veth + "p", "netns", ns);
        ip("link", "set", veth, "master", bridge, "up");
        ip("netns", "exec", ns, "ip", "addr", "add", hostIp(i) + "/24", "dev", veth + "p");
        ip("netns", "exec", ns, "ip", "link", "set", veth + "p", "up");
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        return hostIp(i);
    }

    public String hostIp(int i) {
        return "10.77." + subnet + "." + (10 + i);
    }

    /** Command prefix that runs a program inside host i's namespace. */
    public List<String> launcher(int i) {
        return List.of("ip", "netns", "exec", prefix + "n" + i);
    }

    /** Cuts traffic between hosts a and b (both directions). */
    public synchronized void cut(int a, int b) {
        route("add", a, b);
        route("add", b, a);
    }

    /** Splits the hosts into two sides that cannot talk to each other. */
    public synchronized void partition(Set<Integer> side, Set<Integer> other) {
        for (int a : side) for (int b : other) cut(a, b);
    }

    /** Restores full connectivity. */
    public synchronized void heal() {
        for (String key : new ArrayList<>(blackholes)) {
            String[] ab = key.split(">");
            route("del", Integer.parseInt(ab[0]), Integer.parseInt(ab[1]));
        }
    }

    private void route(String action, int from, int to) {
        String key = from + ">" + to;
        if (action.equals("add") && !blackholes.add(key)) return;
        if (action.equals("del") && !blackholes.remove(key)) return;
        ip("netns", "exec", prefix + "n" + from, "ip", "route", action, "blackhole", hostIp(to) + "/32");
    }

    @Override
    public synchronized void close() {
        if (!open.remove(this)) return;
        for (String ns : namespaces) quietly("netns", "del", ns);
        quietly("link", "del", bridge);
    }

    private void quietly(String... args) {
        try {
            ip(args);
        } catch (RuntimeException ignored) {
            // best effort while tearing down
        }
    }

    private static void ip(String... args) {
        output(args);
    }

    /** Runs ip with these arguments; returns what it printed, or throws if it failed. */
    private static String output(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip (iproute2): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
