package dev.mooring.k8s.apply;

import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.k8s.render.OverlayView;
import dev.mooring.k8s.render.Readiness;
import dev.mooring.overlay.service.OverlayStatus;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits, bounded, until the overlay status file says {@code ready} and (for etcd) the overlay knows
 * enough control-plane hosts. The status file is written atomically by the overlay service, so a
 * file that does not parse is a real problem, reported at once; a missing file only means the
 * service has not finished its first pass.
 */
public final class OverlayWait {

    /** The overlay did not become ready within the timeout; the message names the file and what was seen. */
    public static final class NotReadyException extends Exception {
        public NotReadyException(String message) {
            super(message);
        }
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private OverlayWait() {}

    public static OverlayView await(Path statusFile, ClusterFile cluster, Duration timeout)
            throws NotReadyException, IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen;
        while (true) {
            Optional<String> missing;
            try {
                OverlayView view = OverlayView.of(OverlayStatus.read(statusFile));
                missing = Readiness.missing(cluster, view);
                if (missing.isEmpty()) {
                    return view;
                }
                seen = missing.get();
            } catch (NoSuchFileException e) {
                seen = "the file does not exist (mooring-overlay has not finished its first pass)";
            }
            if (System.nanoTime() - deadline > 0) {
                throw new NotReadyException("the overlay was not ready within " + human(timeout) + ": " + statusFile + ": " + seen
                        + ". Check `mooring overlay status` and `journalctl -u mooring-overlay`; rerun with a longer --timeout");
            }
            Thread.sleep(POLL);
        }
    }

    static String human(Duration d) {
        if (d.toMillis() % 60_000 == 0 && d.toMinutes() > 0) {
            return d.toMinutes() + "m";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}
