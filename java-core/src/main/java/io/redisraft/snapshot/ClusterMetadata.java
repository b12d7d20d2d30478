package io.redisraft.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What every RDB the module writes says about the cluster, besides the applied index and
 * term: the cluster id, and every node id ever used in the cluster (a removed id never
 * joins again, also after the log that removed it was compacted away). Encoded as text,
 * "dbid" then "\nused_node_ids=1,2,3"; an RDB from before the ids were kept has the first
 * line only. Pure logic.
 */
public record ClusterMetadata(String dbid, List<Integer> usedNodeIds) {
    private static final String IDS = "used_node_ids=";

    public ClusterMetadata {
        usedNodeIds = List.copyOf(usedNodeIds);
    }

    public byte[] encode() {
        StringBuilder sb = new StringBuilder(dbid).append('\n').append(IDS);
        for (int i = 0; i < usedNodeIds.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(usedNodeIds.get(i));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes what {@link #encode} wrote; ids that do not parse are skipped. */
    public static ClusterMetadata decode(byte[] blob) {
        String[] lines = new String(blob, StandardCharsets.UTF_8).split("\n");
        List<Integer> ids = new ArrayList<>();
        for (int l = 1; l < lines.length; l++) {
            if (!lines[l].startsWith(IDS)) continue;
            for (String id : lines[l].substring(IDS.length()).split(",")) {
                try {
                    ids.add(Integer.parseInt(id.trim()));
                } catch (NumberFormatException e) {
                    // not an id: skipped
                }
            }
        }
        return new ClusterMetadata(lines.length == 0 ? "" : lines[0], ids);
    }
}
