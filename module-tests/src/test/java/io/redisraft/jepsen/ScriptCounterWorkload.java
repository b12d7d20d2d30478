package io.redisraft.jepsen;

import io.redisraft.harness.ClusterClient;
import io.redisraft.harness.Commands;
import io.redisraft.harness.Commands.ReplyError;
import java.util.Random;

/**
 * A counter incremented by a Lua script the way clients use scripts: EVALSHA, and on
 * NOSCRIPT the usual fallback to EVAL; now and then a client loads the script again or
 * flushes the script cache. Under compaction and restarts some nodes lose their script
 * cache: every increment must still apply exactly once everywhere (counter checker), and
 * the nodes' datasets must agree (the run's dataset check).
 */
final class ScriptCounterWorkload extends CounterWorkload {
    private static final String SCRIPT = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    private static final String SHA = Commands.sha1(SCRIPT);

    ScriptCounterWorkload() {
        super("script-counter");
    }

    @Override
    String name() {
        return "evalsha";
    }

    @Override
    void step(int process, ClusterClient client, ClusterClient home, Random random) {
        int dice = random.nextInt(100);
        if (dice == 0) client.call("SCRIPT", "FLUSH");
        else if (dice < 5) client.call("SCRIPT", "LOAD", SCRIPT);
        else super.step(process, client, home, random);
    }

    @Override
    ClusterClient.Outcome increment(ClusterClient client, long amount) {
        ClusterClient.Outcome o = client.call("EVALSHA", SHA, "1", key(), Long.toString(amount));
        if (o.status() == ClusterClient.Status.FAILED && o.value() instanceof ReplyError e
                && e.code().equals("NOSCRIPT")) {
            o = client.call("EVAL", SCRIPT, "1", key(), Long.toString(amount));
        }
        return o;
    }
}
