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

    private NetnsNetwork(int id) {
        this.prefix = "rr" + id;
        this.subnet = id % 250 + 1;
        this.bridge = prefix + "br";
    }

    /** Creates the bridge; throws (with the reason) if this machine does not allow it. */
    public static NetnsNetwork create() {
        int id = (int) (ProcessHandle.current().pid() % 1000) * 10 + (open.size() % 10);
        NetnsNetwork n = new NetnsNetwork(id);
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
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip (iproute2): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
