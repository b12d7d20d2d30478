package io.redisraft.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What every RDB the module writes says about the cluster, besides the applied index and
 * term: the cluster id, every node id ever used in the cluster (a removed id never
 * joins again, also after the log that removed it was compacted away), and the module's
 * own replicated state (the shard groups, as text without line breaks; "" for none).
 * Encoded as text, "dbid" then "\nused_node_ids=1,2,3" then "\nshard_groups=..."; an
 * older RDB lacks the lines after the first. Pure logic.
 */
public record ClusterMetadata(String dbid, List<Integer> usedNodeIds, String shardGroups) {
    private static final String IDS = "used_node_ids=";
    private static final String SHARD_GROUPS = "shard_groups=";

    public ClusterMetadata {
        usedNodeIds = List.copyOf(usedNodeIds);
        if (shardGroups == null) shardGroups = "";
        if (shardGroups.indexOf('\n') >= 0) throw new IllegalArgumentException("shard groups must be one line");
    }

    public byte[] encode() {
        StringBuilder sb = new StringBuilder(dbid).append('\n').append(IDS);
        for (int i = 0; i < usedNodeIds.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(usedNodeIds.get(i));
        }
        if (!shardGroups.isEmpty()) sb.append('\n').append(SHARD_GROUPS).append(shardGroups);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes what {@link #encode} wrote; ids that do not parse are skipped. */
    public static ClusterMetadata decode(byte[] blob) {
        String[] lines = new String(blob, StandardCharsets.UTF_8).split("\n");
        List<Integer> ids = new ArrayList<>();
        String shardGroups = "";
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].startsWith(SHARD_GROUPS)) shardGroups = lines[l].substring(SHARD_GROUPS.length());
            if (!lines[l].startsWith(IDS)) continue;
            for (String id : lines[l].substring(IDS.length()).split(",")) {
                try {
                    ids.add(Integer.parseInt(id.trim()));
                } catch (NumberFormatException e) {
                    // not an id: skipped
                }
            }
        }
        return new ClusterMetadata(lines.length == 0 ? "" : lines[0], ids, shardGroups);
    }
}
