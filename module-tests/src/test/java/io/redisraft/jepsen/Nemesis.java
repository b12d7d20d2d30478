package io.redisraft.jepsen;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.NetnsNetwork;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Injects faults into a running cluster: kills (SIGKILL, then restart), pauses
 * (SIGSTOP/SIGCONT), network partitions (on the private network), membership changes
 * (remove a node, wipe it, add it back with a new id) and forced compactions. Each
 * fault is held for a few seconds and healed before the next one.
 */
final class Nemesis {
    private final RaftCluster cluster;
    private final List<Fault> faults;
    private final Random random;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final long start = System.nanoTime();
    private final Set<Fault> injectedKinds = EnumSet.noneOf(Fault.class);
    private final ArrayDeque<Fault> deck = new ArrayDeque<>();
    private int injected;

    Nemesis(RaftCluster cluster, Set<Fault> faults, Random random) {
        this.cluster = cluster;
        this.faults = new ArrayList<>(faults);
        Collections.sort(this.faults);
        this.random = random;
        if (cluster.network() == null && faults.stream().anyMatch(Fault::needsNetwork)) {
            throw new IllegalArgumentException("partition faults need the private network");
        }
    }

    int injected() {
        return injected;
    }

    /** The kinds of fault that were injected (and completed) at least once. */
    Set<Fault> injectedKinds() {
        return injectedKinds;
    }

    List<String> log() {
        return log;
    }

    /** Injects faults every {@code interval} until {@code until} (System.nanoTime()). */
    void run(long until, Duration interval) {
        if (faults.isEmpty()) return;
        while (System.nanoTime() + interval.toNanos() < until) {
            RedisNode.sleep(interval.toMillis());
            Fault f = nextFault();
            try {
                inject(f);
                injected++;
                injectedKinds.add(f);
            } catch (RuntimeException e) {
                note(f + " could not complete: " + e.getMessage());
            } finally {
                healAll();
            }
        }
    }

    /** Every kind once per round, in a random order, so a short run still sees each of them. */
    private Fault nextFault() {
        if (deck.isEmpty()) {
            List<Fault> round = new ArrayList<>(faults);
            Collections.shuffle(round, random);
            deck.addAll(round);
        }
        return deck.poll();
    }

    private void inject(Fault f) {
        List<RedisNode> nodes = cluster.nodes();
        int n = nodes.size();
        RedisNode leader = leaderOrRandom();
        switch (f) {
            case KILL_RANDOM -> killFor(List.of(nodes.get(random.nextInt(n))), f);
            case KILL_LEADER -> killFor(List.of(leader), f);
            case KILL_MAJORITY -> killFor(pick(n / 2 + 1, leader), f);
            case PAUSE_LEADER -> pauseFor(List.of(leader), f);
            case PAUSE_LEADER_FRESH_LEASE -> pauseRightAfterACommit(f);
            case MEMBERSHIP_RACE -> replaceTwoAtOnce();
            case TRANSFER_TIMEOUT -> transferToAPausedFollower(f);
            case CPU_HOG -> hogTheCpus(f);
            case PAUSE_MAJORITY -> pauseFor(pick(n / 2 + 1, leader), f);
            case PARTITION_LEADER -> {
                Set<Integer> others = hostsExcept(cluster.hostOf(leader));
                partitionFor(Set.of(cluster.hostOf(leader)), others, f + " " + leader);
            }
            case PARTITION_HALVES -> {
                List<Integer> hosts = new ArrayList<>(hostsExcept(-1));
                Collections.shuffle(hosts, random);
                Set<Integer> minority = new HashSet<>(hosts.subList(0, n / 2));
                Set<Integer> majority = new HashSet<>(hosts.subList(n / 2, n));
                partitionFor(minority, majority, f + " " + minority + " | " + majority);
            }
            case PARTITION_RING -> ring(f);
            case MEMBERSHIP -> replaceNode();
            case COMPACT -> {
                List<RedisNode> targets = new ArrayList<>(cluster.running());
                Collections.shuffle(targets, random);
                targets = targets.subList(0, 1 + random.nextInt(targets.size()));
                note(f + " " + targets);
                // A node still loading after a restart cannot compact yet; the fault needs one snapshot taken.
                String refused = null;
                int compacted = 0;
                for (RedisNode node : targets) {
                    if (node.call("RAFT.DEBUG", "COMPACT", "1") instanceof ReplyError e) {
                        if (!e.message().startsWith("LOADING")) refused = node + " did not take a snapshot: " + e.message();
                    } else {
                        compacted++;
                    }
                }
                if (refused != null || compacted == 0) {
                    throw new IllegalStateException(refused != null ? refused : "no node could take a snapshot yet");
                }
            }
        }
    }

    private void killFor(List<RedisNode> victims, Fault f) {
        note(f + " " + victims);
        for (RedisNode v : victims) v.kill();
        RedisNode.sleep(2000 + random.nextInt(2000));
        for (RedisNode v : victims) v.start();
        for (RedisNode v : victims) v.awaitReady(RaftCluster.READY);
    }

    private void pauseFor(List<RedisNode> victims, Fault f) {
        note(f + " " + victims);
        for (RedisNode v : victims) v.pause();
        try {
            RedisNode.sleep(3000 + random.nextInt(4000));
        } finally {
            for (RedisNode v : victims) v.resume();
        }
    }

    private void partitionFor(Set<Integer> side, Set<Integer> other, String what) {
        note(what);
        cluster.network().partition(side, other);
        RedisNode.sleep(4000 + random.nextInt(4000));
        cluster.network().heal();
    }

    /** Each node reaches only its two neighbours (needs 5 nodes to differ from no partition). */
    private void ring(Fault f) {
        int n = cluster.nodes().size();
        NetnsNetwork net = cluster.network();
        note(f + " over " + n + " nodes");
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (b != a + 1 && !(a == 0 && b == n - 1)) net.cut(a, b);
            }
        }
        RedisNode.sleep(4000 + random.nextInt(4000));
        net.heal();
    }

    /** Removes a follower, wipes it and makes it join again (it gets a new id). */
    private void replaceNode() {
        RedisNode leader = cluster.awaitLeader(Duration.ofSeconds(30));
        List<RedisNode> followers = new ArrayList<>(cluster.nodes());
        followers.remove(leader);
        replace(followers.get(random.nextInt(followers.size())));
    }

    private void replace(RedisNode victim) {
        String id = victim.info("raft_node_id");
        note("MEMBERSHIP remove " + victim + " (id " + id + ")");
        Object removed = retry(() -> cluster.awaitLeader(Duration.ofSeconds(30)).call("RAFT.NODE", "REMOVE", id));
        if (removed instanceof ReplyError e && !e.message().contains("does not exist")) {
            throw new IllegalStateException("RAFT.NODE REMOVE: " + e.message());
        }
        victim.kill();
        victim.wipeRaftState();
        victim.start().awaitReady(RaftCluster.READY);
        retry(() -> {
            cluster.join(victim);
            return "OK";
        });
        note("MEMBERSHIP " + victim + " joined again as " + victim.info("raft_node_id"));
    }

    /** Commits an entry through the leader, then stops it at once, for longer than an election takes. */
    private void pauseRightAfterACommit(Fault f) {
        RedisNode leader = cluster.awaitLeader(Duration.ofSeconds(30));
        Object reply = leader.call("SET", "nemesis-lease", Long.toString(System.nanoTime()));
        leader.pause();
        note(f + " " + leader + " (write before the pause: " + reply + ")");
        try {
            RedisNode.sleep(3000 + random.nextInt(3000));
        } finally {
            leader.resume();
        }
    }

    /** Two followers removed and added back concurrently (needs at least 5 nodes to keep a majority). */
    private void replaceTwoAtOnce() {
        RedisNode leader = cluster.awaitLeader(Duration.ofSeconds(30));
        List<RedisNode> followers = new ArrayList<>(cluster.nodes());
        followers.remove(leader);
        Collections.shuffle(followers, random);
        if (followers.size() < 4) throw new IllegalStateException("MEMBERSHIP_RACE needs at least 5 nodes");
        note("MEMBERSHIP_RACE " + followers.subList(0, 2));
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (RedisNode victim : followers.subList(0, 2)) {
            Thread t = new Thread(() -> {
                try {
                    replace(victim);
                } catch (RuntimeException | AssertionError e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join(RaftCluster.JOIN.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            throw new IllegalStateException("membership race: a replacement did not end in time");
        }
        if (!failures.isEmpty()) throw new IllegalStateException("membership race: " + failures.get(0), failures.get(0));
    }

    /** The leader hands over to a follower that is paused: the transfer times out, the follower resumes later. */
    private void transferToAPausedFollower(Fault f) {
        RedisNode leader = cluster.awaitLeader(Duration.ofSeconds(30));
        List<RedisNode> followers = new ArrayList<>(cluster.nodes());
        followers.remove(leader);
        RedisNode target = followers.get(random.nextInt(followers.size()));
        String targetId = target.info("raft_node_id");
        target.pause();
        try {
            Object reply = leader.callSlow(Duration.ofSeconds(30), "RAFT.TRANSFER_LEADER", targetId);
            note(f + " to paused " + target + ": " + reply);
        } catch (RuntimeException e) {
            note(f + " to paused " + target + ": " + e.getMessage());
        } finally {
            RedisNode.sleep(random.nextInt(2000));
            target.resume();
        }
    }

    private void hogTheCpus(Fault f) {
        int threads = 2 * Runtime.getRuntime().availableProcessors();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4000 + random.nextInt(4000));
        note(f + " " + threads + " busy threads");
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (System.nanoTime() < until) x += x * 31 + 7;
                if (x == 42) System.out.print("");
            }, "cpu-hog-" + i);
            hogs.add(t);
            t.start();
        }
        for (Thread t : hogs) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes every node run and reachable again. */
    void healAll() {
        if (cluster.network() != null) cluster.network().heal();
        for (RedisNode node : cluster.nodes()) {
            if (node.isRunning()) {
                node.resume();
            } else {
                node.start().awaitReady(RaftCluster.READY);
            }
        }
    }

    private RedisNode leaderOrRandom() {
        RedisNode leader = cluster.currentLeader();
        return leader != null ? leader : cluster.nodes().get(random.nextInt(cluster.nodes().size()));
    }

    private List<RedisNode> pick(int count, RedisNode include) {
        List<RedisNode> others = new ArrayList<>(cluster.nodes());
        others.remove(include);
        Collections.shuffle(others, random);
        List<RedisNode> picked = new ArrayList<>(List.of(include));
        picked.addAll(others.subList(0, count - 1));
        return picked;
    }

    private Set<Integer> hostsExcept(int host) {
        Set<Integer> hosts = new HashSet<>();
        for (RedisNode node : cluster.nodes()) if (cluster.hostOf(node) != host) hosts.add(cluster.hostOf(node));
        return hosts;
    }

    private static Object retry(java.util.function.Supplier<Object> action) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                Object r = action.get();
                if (!(r instanceof ReplyError e) || e.message().contains("does not exist")) return r;
                last = new IllegalStateException(e.message());
            } catch (RuntimeException | AssertionError e) {
                last = new IllegalStateException(e.getMessage(), e);
            }
            RedisNode.sleep(1000);
        }
        throw last;
    }


    private void note(String what) {
        log.add(String.format("%7.1fs %s", (System.nanoTime() - start) / 1e9, what));
    }
}
