package io.redisraft.health;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FatalErrorsTest {
    @Test
    void errorsOfTheVirtualMachineAreFatalEvenWhenWrapped() {
        assertTrue(FatalErrors.isFatal(new OutOfMemoryError("Java heap space")));
        assertTrue(FatalErrors.isFatal(new StackOverflowError()));
        assertTrue(FatalErrors.isFatal(new CompletionException(new OutOfMemoryError("Direct buffer memory"))));
    }

    @Test
    void ordinaryFailuresAreNot() {
        assertFalse(FatalErrors.isFatal(new IllegalStateException("no leader")));
        assertFalse(FatalErrors.isFatal(new CompletionException(new java.io.IOException("closed"))));
        assertFalse(FatalErrors.isFatal(null));
    }
}
