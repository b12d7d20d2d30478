package io.redisraft.raft;

import io.redisraft.resp.Resp;
import java.util.HashMap;
import java.util.Map;

/** Parses the "field:value" lines of an INFO reply. */
final class InfoFields {
    private InfoFields() {}

    static Map<String, String> of(Resp info) {
        Map<String, String> fields = new HashMap<>();
        String text = info.isError() ? null : info.asText();
        if (text == null) return fields;
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }
}
