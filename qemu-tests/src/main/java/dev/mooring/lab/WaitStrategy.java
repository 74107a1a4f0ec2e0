package dev.mooring.lab;

import java.time.Duration;

/** What "started" means for a machine; see {@link Wait} for the usual ones. */
@FunctionalInterface
public interface WaitStrategy {
    /** Returns once {@code machine} is ready, or throws {@link LabTimeoutException} after {@code timeout}. */
    void waitUntilReady(LabMachine machine, Duration timeout) throws InterruptedException;
}
