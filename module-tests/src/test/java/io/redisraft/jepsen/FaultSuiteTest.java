package io.redisraft.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The short fault profile, part of the normal test run: every workload under every
 * kind of fault, checked by the linearizability, transaction and counter checkers and
 * by a comparison of every node's dataset. The long profile is {@link LongFaultRunTest}
 * (scripts/faults.sh). -Dfaults.seed=N replays a run's random choices.
 */
class FaultSuiteTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static void assertClean(FaultRun.Config config, FaultRun.Result result) {
        System.out.println(result.report());
        assertEquals(config.faults(), result.faultKinds(), "every kind of fault injected:\n" + result.report());
        result.okByWorkload().forEach((workload, ok) ->
                assertTrue(ok > 30, workload + ": too little progress:\n" + result.report()));
        assertEquals(0, result.anomalies(), result.report());
        assertEquals(0, result.unverified(), "parts of the history were not verified:\n" + result.report());
    }

    private void runClean(FaultRun.Config config) throws InterruptedException {
        assertClean(config, FaultRun.run(servers, config));
    }

    /** With a cluster password, so the Raft port speaks mutual TLS over gRPC (see the README's Raft port). */
    @Test
    void crashesPausesAndPartitions() throws InterruptedException {
        runClean(FaultRun.Config.of("crash-pause-partition", 3,
                EnumSet.of(Fault.KILL_RANDOM, Fault.KILL_LEADER, Fault.PAUSE_LEADER, Fault.PARTITION_LEADER,
                        Fault.PARTITION_HALVES), Duration.ofSeconds(75))
                .withNodeArgs("--raft.cluster-password", "fault-suite-secret"));
    }

    @Test
    void majorityFaultsMembershipAndSnapshots() throws InterruptedException {
        runClean(FaultRun.Config.of("majority-membership-snapshot", 5,
                EnumSet.of(Fault.KILL_MAJORITY, Fault.PAUSE_MAJORITY, Fault.PARTITION_RING, Fault.MEMBERSHIP,
                        Fault.MEMBERSHIP_RACE, Fault.COMPACT), Duration.ofSeconds(90))
                .withNodeArgs("--raft.log-max-file-size", "256kb"));
    }

    /**
     * Clients of followers (raft.follower-proxy): register operations, reads included, go to
     * each client's own node, under crashes, pauses and partitions.
     */
    @Test
    void followersThatProxyUnderCrashesPausesAndPartitions() throws InterruptedException {
        runClean(FaultRun.Config.of("follower-proxy", 3,
                EnumSet.of(Fault.KILL_LEADER, Fault.PAUSE_LEADER, Fault.PARTITION_LEADER, Fault.KILL_RANDOM),
                Duration.ofSeconds(60)).withEverythingAtHome().withNodeArgs("--raft.follower-proxy", "yes",
                "--raft.proxy-response-timeout", "5000"));
    }

    /**
     * Two shard groups with quarters of the slots moving between them all along, while the
     * first group's nodes are killed and paused: every checker covers keys that move.
     */
    @Test
    void slotsMovingBetweenShardGroupsUnderCrashesAndPauses() throws InterruptedException {
        FaultRun.Config config = FaultRun.Config.of("slot-moves", 3,
                EnumSet.of(Fault.KILL_LEADER, Fault.KILL_RANDOM, Fault.PAUSE_LEADER), Duration.ofSeconds(60)).withSlotMoves();
        FaultRun.Result result = FaultRun.run(servers, config);
        assertClean(config, result);
        // Every quarter of the slots moved at least once: the checkers did cover keys that move.
        assertTrue(result.slotMoves() >= 4, "too few slot moves:\n" + result.report());
    }

    /** Faults aimed at the leader lease, with reads sent to each client's own node. */
    @Test
    void leaseUnderPausesTransfersAndCpuStarvation() throws InterruptedException {
        runClean(FaultRun.Config.of("lease", 3,
                EnumSet.of(Fault.PAUSE_LEADER_FRESH_LEASE, Fault.TRANSFER_TIMEOUT, Fault.CPU_HOG, Fault.KILL_RANDOM),
                Duration.ofSeconds(60)).withReadsAtHome());
    }
}
