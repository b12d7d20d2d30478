package io.redisraft.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class AclRulesTest {
    private static final List<String> LIST = List.of(
            "user app on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~app:* %R~ro:* resetchannels "
                    + "&news -@all +config|get +set +get (~sel:* resetchannels -@all +hget)",
            "user default on nopass ~* &* +@all",
            "user off-user off resetpass ~* -@all");

    @Test
    void permissionsAreKeptPasswordsAndStateLeftOut() {
        assertEquals(List.of("~app:*", "%R~ro:*", "resetchannels", "&news", "-@all", "+config|get", "+set", "+get",
                "(~sel:* resetchannels -@all +hget)"), AclRules.of("app", LIST));
        assertEquals(List.of("~*", "&*", "+@all"), AclRules.of("default", LIST));
        assertEquals(List.of("~*", "-@all"), AclRules.of("off-user", LIST));
    }

    @Test
    void anUnknownUserHasNoRules() {
        assertNull(AclRules.of("nobody", LIST));
    }

    @Test
    void selectorsStayWhole() {
        assertEquals(List.of("user", "u", "(~a b)", "(c (d) e)", "+x"), AclRules.tokens("user u (~a b) (c (d) e) +x"));
    }
}
