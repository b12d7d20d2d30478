package io.redisraft.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redisraft.harness.Servers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The long fault profile, run by scripts/faults.sh (not by the normal test run):
 * -Dfaults.duration=30m -Dfaults.nemesis=all -Dfaults.nodes=5 -Dfaults.seed=...
 */
@EnabledIfSystemProperty(named = "faults.duration", matches = ".+")
class LongFaultRunTest {
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void longRun() throws InterruptedException {
        Duration duration = Duration.parse("PT" + System.getProperty("faults.duration").toUpperCase());
        int nodes = Integer.getInteger("faults.nodes", 5);
        FaultRun.Config config = FaultRun.Config.of("long", nodes,
                Fault.parse(System.getProperty("faults.nemesis", "all")), duration)
                .withNodeArgs("--raft.log-max-file-size", System.getProperty("faults.log-max-file-size", "1mb"));
        FaultRun.Result result = FaultRun.run(servers, config);
        System.out.println(result.report());
        System.out.println(result.summary()); // again as the last line, for scripts/faults.sh readers
        assertEquals(0, result.anomalies(), result.report());
        assertEquals(0, result.unverified(), result.report());
    }
}
