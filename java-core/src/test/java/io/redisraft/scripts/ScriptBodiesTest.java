package io.redisraft.scripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScriptBodiesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shaIsRedisesScriptName() {
        // redis-cli SCRIPT LOAD "return 1"
        assertEquals("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", ScriptBodies.sha1(b("return 1")));
    }

    @Test
    void bodiesAreFoundByShaInAnyCaseUntilFlushed() {
        ScriptBodies scripts = new ScriptBodies();
        scripts.learn(b("return 1"));
        assertArrayEquals(b("return 1"), scripts.body(b("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB")));
        assertNull(scripts.body(b("0000000000000000000000000000000000000000")));
        scripts.forgetAll();
        assertNull(scripts.body(b("e0e1f9fabfc9d4800c877a703b823ac0578ff8db")));
    }
}
