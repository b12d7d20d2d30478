package io.redisraft.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisraft.harness.Servers;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The red test: with a planted bug (raft.test-unsafe-reads: every node answers reads
 * from its own state without any leadership check) clients reading from their own node
 * see stale values, and the suite must report anomalies. The same scenario without the
 * planted bug must be clean.
 */
class PlantedBugTest {
    @RegisterExtension
    final Servers servers = new Servers();

    private static FaultRun.Config scenario(String name) {
        return FaultRun.Config.of(name, 3, EnumSet.of(Fault.PAUSE_LEADER, Fault.KILL_LEADER), Duration.ofSeconds(30))
                .withReadsAtHome();
    }

    @Test
    void staleReadsFromThePlantedBugAreCaught() throws InterruptedException {
        FaultRun.Result result = FaultRun.run(servers, scenario("planted-stale-reads")
                .withNodeArgs("--raft.test-unsafe-reads", "yes"));
        System.out.println(result.report());
        assertTrue(result.anomalies() > 0, "the planted bug went unnoticed:\n" + result.report());
    }

    @Test
    void sameScenarioWithoutThePlantedBugIsClean() throws InterruptedException {
        FaultRun.Result result = FaultRun.run(servers, scenario("no-planted-bug"));
        System.out.println(result.report());
        assertEquals(0, result.anomalies(), result.report());
    }
}
