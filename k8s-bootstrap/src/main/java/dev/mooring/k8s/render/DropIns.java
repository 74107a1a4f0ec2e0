package dev.mooring.k8s.render;

import java.nio.file.Path;

/**
 * The systemd drop-ins that hold a distribution's unit back until the overlay is up and prepare
 * has written its configuration. {@code Requires=} makes a failed overlay or prepare keep the
 * unit from starting with an address it must not use.
 */
final class DropIns {

    static final String NAME = "10-mooring.conf";

    private DropIns() {}

    static Rendered.File forUnit(String unit) {
        return new Rendered.File(Path.of("/etc/systemd/system", unit + ".d", NAME), """
                # Written by mooring k8s prepare. %s binds to this host's overlay address, so it
                # starts only after the overlay is up and prepare has rendered its configuration.
                [Unit]
                After=mooring-overlay.service mooring-k8s-prepare.service
                Requires=mooring-overlay.service mooring-k8s-prepare.service
                """.formatted(unit), 0644);
    }
}
