package io.redisraft.jepsen;

import io.redisraft.harness.Commands.ReplyError;
import io.redisraft.harness.RaftCluster;
import io.redisraft.harness.RedisNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The migration nemesis of sharded runs: moves quarters of the hash slots back and forth
 * between two shard groups without pause (RAFT.SHARDGROUP MIGRATE on the owner's leader),
 * while the other nemesis kills and pauses nodes; a move cut short is run again until it
 * completes. Stopping completes the move in progress, so the checks find every slot
 * stable.
 */
final class SlotMoves {
    private static final int QUARTER = 4096;
    private static final Duration ONE_MOVE = Duration.ofSeconds(60);

    private final RaftCluster[] groups;
    /** Which group (0 or 1) owns each quarter. */
    private final int[] owner = {0, 0, 1, 1};
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile int completed;
    private volatile int retried;

    /** Group 0 starts with slots 0-8191, group 1 with 8192-16383. */
    SlotMoves(RaftCluster first, RaftCluster second) {
        this.groups = new RaftCluster[] {first, second};
        this.thread = new Thread(this::run, "slot-moves");
        thread.start();
    }

    private void run() {
        int quarter = 0;
        while (!stopping.get()) {
            move(quarter);
            quarter = (quarter + 1) % owner.length;
        }
    }

    /** Moves one quarter to the other group, again and again until it is done. */
    private void move(int quarter) {
        int from = owner[quarter];
        int to = 1 - from;
        String start = Integer.toString(quarter * QUARTER);
        String end = Integer.toString(quarter * QUARTER + QUARTER - 1);
        long began = System.nanoTime();
        while (true) {
            Object reply;
            try {
                RedisNode source = groups[from].awaitLeader(Duration.ofSeconds(30));
                RedisNode target = groups[to].awaitLeader(Duration.ofSeconds(30));
                reply = source.callSlow(ONE_MOVE, "RAFT.SHARDGROUP", "MIGRATE", start, end, target.address());
            } catch (RuntimeException e) {
                reply = new ReplyError(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if ("OK".equals(reply)) break;
            retried++;
            log.add("move " + start + "-" + end + " cut short: " + reply + "; again");
            RedisNode.sleep(300);
        }
        owner[quarter] = to;
        completed++;
        log.add("moved " + start + "-" + end + " to group " + to + " in " + (System.nanoTime() - began) / 1_000_000 + " ms");
    }

    /** Completes the move in progress and stops. */
    void stop() throws InterruptedException {
        stopping.set(true);
        thread.join(Duration.ofMinutes(5).toMillis());
        if (thread.isAlive()) throw new IllegalStateException("a slot move did not complete in 5 minutes");
    }

    int completed() {
        return completed;
    }

    int retried() {
        return retried;
    }

    List<String> log() {
        return log;
    }
}
