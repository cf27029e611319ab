package dev.keel.httpapi.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Waiting on what keeld and the containers do, never on time alone. */
final class Conditions {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Conditions() {
    }

    /** Checks {@code condition} every 50 ms until it holds; fails naming {@code what} after 30 s. */
    static void eventually(String what, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!condition.call()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
