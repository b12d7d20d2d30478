package io.redisraft.jepsen;

/** The faults the nemesis injects (one at a time, each healed before the next). */
public enum Fault {
    KILL_RANDOM, KILL_LEADER, KILL_MAJORITY,
    PAUSE_LEADER, PAUSE_MAJORITY,
    /** Pauses the leader right after one of its entries committed: its lease is as fresh as it gets. */
    PAUSE_LEADER_FRESH_LEASE,
    PARTITION_LEADER, PARTITION_HALVES, PARTITION_RING,
    MEMBERSHIP,
    /** Two followers replaced at the same time: membership changes that overlap. */
    MEMBERSHIP_RACE,
    /** A leadership transfer to a paused follower, which times out (the target may still campaign). */
    TRANSFER_TIMEOUT,
    /** Every core busy for a while: threads wait for a CPU, timers fire late. */
    CPU_HOG,
    /** Snapshot pressure: compaction on random nodes (runs also use a tiny raft.log-max-file-size). */
    COMPACT;

    /** Whether the fault needs the private network (partitions). */
    public boolean needsNetwork() {
        return name().startsWith("PARTITION");
    }

    /** Parses "kill-leader,pause-majority" or "all". */
    public static java.util.Set<Fault> parse(String list) {
        java.util.Set<Fault> faults = java.util.EnumSet.noneOf(Fault.class);
        for (String f : list.split(",")) {
            f = f.trim();
            if (f.isEmpty()) continue;
            if (f.equals("all")) faults.addAll(java.util.EnumSet.allOf(Fault.class));
            else faults.add(Fault.valueOf(f.toUpperCase().replace('-', '_')));
        }
        return faults;
    }
}
