package dev.mooring.k8s.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * systemd reads drop-ins when it loads units: after prepare changed one on the running system, a
 * {@code daemon-reload} makes it count for the units that start next (k3s, kubelet, etcd are
 * ordered after prepare). Only on the live root with systemd as init; never for an image root.
 */
@FunctionalInterface
public interface SystemdReload {

    /** Reloads systemd's units; returns a line for the log. */
    String reload() throws IOException;

    /** {@code systemctl daemon-reload} when {@code root} is {@code /} and systemd runs, otherwise nothing. */
    static SystemdReload forRoot(Path root) {
        return () -> {
            if (!root.toAbsolutePath().normalize().equals(Path.of("/")) || !Files.isDirectory(Path.of("/run/systemd/system"))) {
                return "systemd is not running on this root: no daemon-reload (the drop-ins count from the next boot)";
            }
            Process p = new ProcessBuilder("systemctl", "daemon-reload").redirectErrorStream(true).start();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("systemctl daemon-reload did not finish within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during systemctl daemon-reload", e);
            }
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.exitValue() != 0) {
                throw new IOException("systemctl daemon-reload exited " + p.exitValue() + ": " + out);
            }
            return "systemd reloaded (systemctl daemon-reload)";
        };
    }
}
