package dev.mooring.lab;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One JVM shutdown hook for every open lab resource, so Ctrl-C (SIGINT) or SIGTERM tears down
 * machines before networks, newest first, as {@code close()} would.
 */
final class Reaper {
    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean hooked;

    private Reaper() {}

    static synchronized void register(AutoCloseable resource) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mooring-lab-reaper").unstarted(Reaper::closeAll));
            hooked = true;
        }
        OPEN.add(resource);
    }

    static synchronized void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        List<AutoCloseable> open;
        synchronized (Reaper.class) {
            open = new ArrayList<>(OPEN);
        }
        for (AutoCloseable resource : open.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("mooring lab: clean-up of " + resource + " failed: " + e.getMessage());
            }
        }
    }
}
