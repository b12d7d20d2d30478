package io.redisraft.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The permissions of an ACL user as a list of ACL rules, taken from its ACL LIST
 * line: what a replicated script's user gets on every node. Passwords and the on/off
 * flag are left out (they do not decide what a command may do). Pure logic.
 */
public final class AclRules {
    private AclRules() {}

    /**
     * The rules of {@code user} in the lines of ACL LIST ("user name on #hash ~k* -@all
     * +get (~x +set)"), selectors kept whole; null if the user is not listed.
     */
    public static List<String> of(String user, List<String> aclListLines) {
        for (String line : aclListLines) {
            List<String> tokens = tokens(line);
            if (tokens.size() >= 2 && tokens.get(0).equals("user") && tokens.get(1).equals(user)) {
                List<String> rules = new ArrayList<>();
                for (String t : tokens.subList(2, tokens.size())) if (isPermission(t)) rules.add(t);
                return rules;
            }
        }
        return null;
    }

    private static boolean isPermission(String token) {
        String t = token.toLowerCase(Locale.ROOT);
        if (t.equals("on") || t.equals("off") || t.equals("nopass") || t.equals("resetpass")) return false;
        char c = t.isEmpty() ? ' ' : t.charAt(0);
        return c != '#' && c != '>' && c != '<' && c != '!';
    }

    /** Splits on spaces, keeping each "(...)" selector as one token. */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (char c : line.toCharArray()) {
            if (c == '(') depth++;
            if (c == ')') depth = Math.max(0, depth - 1);
            if (c == ' ' && depth == 0) {
                if (current.length() > 0) out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) out.add(current.toString());
        return out;
    }
}
