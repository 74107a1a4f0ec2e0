package dev.mooring.lab;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Bounded polling: every wait in the lab is a poll with a deadline, never a bare sleep. A failure
 * says what was awaited and what was last seen.
 */
public final class Poll {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    private Poll() {}

    /**
     * Returns the first present value of {@code probe} within {@code timeout}. An exception from the
     * probe counts as "not yet"; the last one is attached to the timeout. {@code lastSeen} is asked
     * for context only when the wait fails.
     */
    public static <T> T until(Duration timeout, String what, Callable<Optional<T>> probe, Supplier<String> lastSeen)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                Optional<T> value = probe.call();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                String seen = lastSeen.get();
                if (last != null) {
                    seen = "last error: " + last + (seen.isBlank() ? "" : "\n" + seen);
                }
                LabTimeoutException timedOut = new LabTimeoutException(what, timeout, seen);
                if (last != null) {
                    timedOut.initCause(last);
                }
                throw timedOut;
            }
            Thread.sleep(INTERVAL);
        }
    }

    /** {@link #until} for a condition. */
    public static void until(Duration timeout, String what, Callable<Boolean> condition) throws InterruptedException {
        until(timeout, what, () -> condition.call() ? Optional.of(Boolean.TRUE) : Optional.empty(), () -> "");
    }
}
