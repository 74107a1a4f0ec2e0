package dev.mooring.overlay.service;

import dev.mooring.overlay.netlink.Syscalls;

/**
 * Gets the service's slowest one-time initialisation under way on a second thread while the first
 * reads the command line and the configuration: the system-call stub (FFM spins its method-handle
 * classes at run time, which no AOT cache holds). It does not depend on the configuration, and
 * class initialisation is thread-safe: the service's thread waits only for whatever is not
 * finished when it gets there. On one core this changes nothing; on two it takes it off the way
 * to READY.
 */
public final class WarmUp {

    private WarmUp() {}

    /** Starts the warm-up on a daemon thread and returns at once. */
    public static void startInBackground() {
        Thread.ofPlatform().daemon().name("mooring-warm-up").start(() -> {
            try {
                Syscalls.link();
            } catch (RuntimeException | LinkageError e) {
                // The service meets the same failure on its own thread and reports it there.
            }
        });
    }
}
