package io.redisraft.jepsen.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects anomaly texts tagged by kind. A systematic bug can produce thousands of identical
 * anomalies, so only the first few of each kind are kept verbatim and the rest are counted.
 */
final class Anomalies {

    static final int DEFAULT_EXAMPLES_PER_KIND = 25;

    private final int examplesPerKind;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<String> texts = new ArrayList<>();

    Anomalies() {
        this(DEFAULT_EXAMPLES_PER_KIND);
    }

    Anomalies(int examplesPerKind) {
        this.examplesPerKind = examplesPerKind;
    }

    void add(String kind, String text) {
        int n = counts.merge(kind, 1, Integer::sum);
        if (n <= examplesPerKind) {
            texts.add("[" + kind + "] " + text);
        }
    }

    List<String> list() {
        List<String> out = new ArrayList<>(texts);
        counts.forEach((kind, n) -> {
            if (n > examplesPerKind) {
                out.add("[" + kind + "] ... and " + (n - examplesPerKind) + " more (" + n + " in total)");
            }
        });
        return out;
    }

    /** Short rendering of a possibly long list of values. */
    static String abbrev(List<Long> values) {
        if (values.size() <= 12) {
            return values.toString();
        }
        return "[" + join(values.subList(0, 5)) + ", ... " + join(values.subList(values.size() - 5, values.size()))
                + "] (" + values.size() + " elements)";
    }

    private static String join(List<Long> vs) {
        StringBuilder sb = new StringBuilder();
        for (Long v : vs) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
