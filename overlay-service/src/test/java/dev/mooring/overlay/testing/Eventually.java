package dev.mooring.overlay.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Polls a condition until it holds, for tests that wait on the kernel or on a process: no bare
 * sleeps, a bounded wait, and a failure that says what was awaited and what was last seen.
 */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(20);

    private Eventually() {}

    /**
     * Returns once {@code condition} returns true; throws {@link AssertionError} naming
     * {@code what} after {@code timeout}. An exception from the condition counts as "not yet".
     */
    public static void within(Duration timeout, String what, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error = new AssertionError("not true within " + timeout + ": " + what);
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            Thread.sleep(POLL);
        }
    }
}
