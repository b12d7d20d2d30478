package io.redisraft.jepsen.history;

import java.util.List;

/**
 * Verdict of one checker.
 *
 * @param checker   checker name
 * @param valid     false iff at least one anomaly was found
 * @param anomalies human-readable anomaly descriptions (empty when valid)
 * @param note      optional remark that is not an anomaly; null if none
 * @param unverified parts of the history the checker could not decide (e.g. a search ran out
 *                  of budget): neither verified nor refuted. A run counts them and fails on
 *                  any, so an undecided history never passes silently.
 */
public record CheckResult(String checker, boolean valid, List<String> anomalies, String note, int unverified) {

    public CheckResult {
        anomalies = List.copyOf(anomalies);
        if (valid && !anomalies.isEmpty()) {
            throw new IllegalArgumentException("a valid result cannot carry anomalies");
        }
    }

    public CheckResult(String checker, boolean valid, List<String> anomalies, String note) {
        this(checker, valid, anomalies, note, 0);
    }

    public static CheckResult ok(String checker) {
        return new CheckResult(checker, true, List.of(), null);
    }

    /** Anomalies plus {@code unverified} undecided parts, described in {@code note}. */
    public static CheckResult of(String checker, List<String> anomalies, String note, int unverified) {
        return new CheckResult(checker, anomalies.isEmpty(), anomalies, note, unverified);
    }

    public static CheckResult invalid(String checker, List<String> anomalies) {
        return invalid(checker, anomalies, null);
    }

    public static CheckResult invalid(String checker, List<String> anomalies, String note) {
        if (anomalies.isEmpty()) {
            throw new IllegalArgumentException("an invalid result needs at least one anomaly");
        }
        return new CheckResult(checker, false, anomalies, note);
    }

    /** Valid iff {@code anomalies} is empty. */
    public static CheckResult of(String checker, List<String> anomalies, String note) {
        return new CheckResult(checker, anomalies.isEmpty(), anomalies, note);
    }

    /** Multi-line text for logs and assertion messages. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(checker).append(": ").append(valid ? "valid" : "INVALID");
        if (unverified > 0) {
            sb.append(", ").append(unverified).append(" UNVERIFIED");
        }
        if (note != null) {
            sb.append(" (note: ").append(note).append(')');
        }
        for (String a : anomalies) {
            sb.append(System.lineSeparator()).append("  - ").append(a);
        }
        return sb.toString();
    }
}
