package dev.mooring.image.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated image spec ({@code image.yaml}): everything a build depends on. Paths are absolute,
 * resolved against the spec's folder.
 *
 * @param file            the spec file itself (for messages and the build report)
 * @param name            output base name: {@code out/<name>.raw}
 * @param sourceDateEpoch every timestamp in the outputs is at most this (seconds since 1970)
 * @param diskSize        raw disk size in bytes; empty: the minimum the content needs plus headroom
 */
public record ImageSpec(Path file, String name, String version, long sourceDateEpoch, Base base, Kernel kernel,
                        Optional<Path> runtime, Kubernetes kubernetes, Path userData, Set<Output> outputs,
                        Optional<Long> diskSize) {

    public ImageSpec {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        outputs = Set.copyOf(outputs);
    }

    /** Where the root filesystem comes from: mmdebstrap of a Debian suite, or a given tarball. */
    public record Base(String suite, String mirror, List<String> packages, Optional<Path> rootfsTar) {
        public Base {
            packages = List.copyOf(packages);
        }
    }

    /**
     * @param modules        loaded by the initramfs (MODULES=list), so the image finds its disk on
     *                       virtio, SATA, NVMe and USB and can boot live from an ISO
     * @param omitModules    module folders below {@code lib/modules/<version>/kernel} left out of the image
     */
    public record Kernel(String packageName, String cmdline, List<String> modules, List<String> omitModules) {
        public Kernel {
            modules = List.copyOf(modules);
            omitModules = List.copyOf(omitModules);
        }
    }

    /** etcd-server from Debian (unit disabled), and k3s files copied in when given. */
    public record Kubernetes(boolean etcd, Optional<Path> k3s, Optional<Path> k3sAirgap) {
    }

    public enum Output {
        RAW, ISO, QCOW2;

        public String extension() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
