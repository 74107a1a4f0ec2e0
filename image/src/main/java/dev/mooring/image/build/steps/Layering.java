package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.ImageIdentity;
import dev.mooring.image.build.Progress;
import dev.mooring.image.build.Tools;
import dev.mooring.image.spec.ImageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Step 2: unpacks the root filesystem into a folder and layers Mooring on it: the runtime in
 * /opt/mooring with its units enabled, a console unit that prints {@code mooring --version},
 * networkd DHCP on every Ethernet NIC, fstab for /oem and the ESP, an empty machine-id (each host
 * makes its own at first boot), masks and module blacklists that keep boots short, the Kubernetes
 * payload. Timestamps are clamped to SOURCE_DATE_EPOCH at the end.
 *
 * <p>Output: the folder, the kernel version, and the installed packages with their versions.
 */
public final class Layering {

    /** The runtime prints this on the serial console at every boot; tests and the lab wait for it. */
    public static final String VERSION_UNIT = "mooring-version.service";
    public static final String DHCP_NETWORK = "90-mooring-dhcp.network";

    /** Units that only slow a boot down on an appliance (timers for apt and scrubbing) or fight the test console. */
    static final List<String> MASKED = List.of("serial-getty@ttyS0.service", "apt-daily.timer", "apt-daily-upgrade.timer",
            "e2scrub_all.timer", "e2scrub_reap.service");
    static final List<String> BLACKLISTED = List.of("floppy", "pcspkr", "powernow_k8", "kvm_intel", "kvm_amd", "kvm");

    public record Output(Path root, String kernelVersion, Map<String, String> packages) {
        public Path kernel() {
            return root.resolve("boot/vmlinuz-" + kernelVersion);
        }

        public Path initrd() {
            return root.resolve("boot/initrd.img-" + kernelVersion);
        }
    }

    private final Tools tools;

    public Layering(Tools tools) {
        this.tools = tools;
    }

    public Output run(ImageSpec spec, ImageIdentity id, Path rootfsTar, RuntimeTar runtime, Path root, Progress progress)
            throws BuildException, IOException {
        Files.createDirectories(root);
        tools.run(List.of("tar", "--numeric-owner", "-xpf", rootfsTar.toString(), "-C", root.toString(),
                "--exclude=./dev/*"), "unpacking the root filesystem");
        String kernel = kernelVersion(root);
        progress.detail("layering", "kernel " + kernel);

        Path opt = root.resolve("opt/mooring");
        Files.createDirectories(opt);
        tools.run(List.of("tar", "--numeric-owner", "-xpf", runtime.tar().toString(), "-C", opt.toString()), "unpacking the runtime");
        // The runtime's AOT cache, trained for exactly this tar (it holds no machine code since the
        // runtime leaves adapters out, so it suits any x86-64 CPU). Without one,
        // mooring-aot-cache.service trains it on the device after the first boot.
        if (runtime.aotCache().isPresent()) {
            installCache(runtime.aotCache().get(), opt.resolve("lib/mooring.aot"), spec);
        }
        if (runtime.serviceAotCache().isPresent()) {
            installCache(runtime.serviceAotCache().get(), opt.resolve("lib/mooring-overlay.aot"), spec);
        }
        Files.createDirectories(root.resolve("usr/local/bin"));
        Files.deleteIfExists(root.resolve("usr/local/bin/mooring"));
        Files.createSymbolicLink(root.resolve("usr/local/bin/mooring"), Path.of("/opt/mooring/bin/mooring"));

        List<String> enable = new ArrayList<>(List.of("systemd-networkd.service", "systemd-resolved.service", VERSION_UNIT));
        Path unitDir = root.resolve("etc/systemd/system");
        try (Stream<Path> units = Files.list(opt.resolve("lib/systemd/system"))) {
            for (Path unit : units.sorted().toList()) {
                Files.copy(unit, unitDir.resolve(unit.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                enable.add(unit.getFileName().toString());
            }
        }
        write(unitDir.resolve(VERSION_UNIT), """
                # Prints the runtime's version on the console at every boot: proof that the image's
                # mooring runs, and the line tests and the QEMU lab wait for.
                [Unit]
                Description=Mooring: print the runtime version on the console
                After=systemd-journald.socket

                [Service]
                Type=oneshot
                ExecStart=/opt/mooring/bin/mooring --version
                StandardOutput=journal+console
                StandardError=journal+console

                [Install]
                WantedBy=multi-user.target
                """);
        // First boot reads /oem/user-data: order it after the mount (nofail: a missing /oem only means no
        // default user-data; the live ISO bind-mounts its /oem before systemd starts).
        write(unitDir.resolve("mooring-firstboot.service.d/oem.conf"), """
                [Unit]
                Wants=oem.mount
                After=oem.mount
                """);
        // A bounded wait: a host without a link must not hang two minutes in boot (cloud-init#5511).
        write(unitDir.resolve("systemd-networkd-wait-online.service.d/mooring.conf"), """
                [Service]
                ExecStart=
                ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=30
                """);
        write(root.resolve("etc/systemd/network/" + DHCP_NETWORK), """
                # Mooring's default: DHCP on every physical Ethernet NIC (Kind=!* leaves out bridges,
                # VXLAN and veth, which are Ethernet too). First boot writes lower-numbered files
                # from the user-data's network-config; those win.
                [Match]
                Type=ether
                Kind=!*

                [Network]
                DHCP=yes
                LinkLocalAddressing=ipv6

                [DHCPv4]
                # Leases follow the NIC's MAC address, as site DHCP reservations usually do.
                ClientIdentifier=mac
                """);
        write(root.resolve("etc/fstab"), """
                # Mooring image. The root file system is given on the kernel command line (root=PARTUUID=...).
                PARTUUID=%s /oem vfat umask=0077,nofail 0 2
                PARTUUID=%s /boot/efi vfat umask=0077,noauto,nofail 0 2
                """.formatted(id.oemPartition(), id.espPartition()));
        Files.createDirectories(root.resolve("oem"));
        Files.createDirectories(root.resolve("boot/efi"));
        write(root.resolve("etc/hostname"), spec.name() + "\n");
        write(root.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\t" + spec.name() + "\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        // Empty, not absent: systemd then makes a new id at first boot and treats that boot as the first.
        write(root.resolve("etc/machine-id"), "");
        Files.deleteIfExists(root.resolve("var/lib/dbus/machine-id"));
        write(root.resolve("etc/modprobe.d/mooring-blacklist.conf"), "# Never used on an appliance; slow under emulation.\n"
                + BLACKLISTED.stream().map(m -> "blacklist " + m + "\n").reduce("", String::concat));
        write(root.resolve("etc/mooring/image.json"), """
                {"name": "%s", "version": "%s", "sourceDateEpoch": %d}
                """.formatted(spec.name(), spec.version(), spec.sourceDateEpoch()));

        kubernetes(spec, root);

        tools.run(chroot(root, "systemctl", "enable", enable), "enabling the units");
        tools.run(chroot(root, "systemctl", "mask", MASKED), "masking units");
        if (spec.kubernetes().etcd()) {
            // k8s-bootstrap's prepare enables etcd once the overlay has its address.
            tools.run(chroot(root, "systemctl", "disable", List.of("etcd.service")), "disabling etcd");
        }
        // Read before the times are fixed: reading a file moves its atime.
        Map<String, String> packages = packages(root);
        clampTimes(spec, root);
        return new Output(root, kernel, packages);
    }

    private void kubernetes(ImageSpec spec, Path root) throws IOException {
        if (spec.kubernetes().k3s().isPresent()) {
            Path k3s = root.resolve("usr/local/bin/k3s");
            Files.copy(spec.kubernetes().k3s().get(), k3s, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(k3s, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (spec.kubernetes().k3sAirgap().isPresent()) {
            Path images = root.resolve("var/lib/rancher/k3s/agent/images");
            Files.createDirectories(images);
            Path from = spec.kubernetes().k3sAirgap().get();
            Files.copy(from, images.resolve(from.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Every mtime after SOURCE_DATE_EPOCH is set to it, every atime to it (mkfs.ext4 -d copies
     * both). Files under /opt/mooring keep the runtime tar's own fixed times: its AOT cache checks
     * the jars' mtimes.
     */
    private void clampTimes(ImageSpec spec, Path root) throws BuildException {
        String at = "@" + spec.sourceDateEpoch();
        tools.run(List.of("find", root.toString(), "(", "-path", root.resolve("opt/mooring").toString() + "/*", "-type", "f", ")",
                "-prune", "-o", "-newermt", at, "-exec", "touch", "--no-dereference", "-m", "-d", at, "{}", "+"),
                "clamping modification times");
        tools.run(List.of("find", root.toString(), "-exec", "touch", "--no-dereference", "-a", "-d", at, "{}", "+"),
                "fixing access times");
    }

    static String kernelVersion(Path root) throws BuildException, IOException {
        Path boot = root.resolve("boot");
        List<String> versions = new ArrayList<>();
        if (Files.isDirectory(boot)) {
            try (Stream<Path> files = Files.list(boot)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-"))
                        .map(n -> n.substring("vmlinuz-".length()))
                        .filter(v -> Files.isRegularFile(boot.resolve("initrd.img-" + v)))
                        .sorted(Comparator.reverseOrder()).forEach(versions::add);
            }
        }
        if (versions.isEmpty()) {
            throw new BuildException("the root filesystem has no kernel with an initramfs in /boot",
                    "install a kernel package (kernel.package, default linux-image-amd64) and initramfs-tools in the base");
        }
        return versions.getFirst();
    }

    /** Package → version from dpkg's status file; empty for a rootfs without dpkg. */
    static Map<String, String> packages(Path root) throws IOException {
        Path status = root.resolve("var/lib/dpkg/status");
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(status)) {
            return out;
        }
        String pkg = null;
        String version = null;
        boolean installed = false;
        for (String line : Files.readAllLines(status)) {
            if (line.isEmpty()) {
                if (pkg != null && version != null && installed) {
                    out.put(pkg, version);
                }
                pkg = null;
                version = null;
                installed = false;
            } else if (line.startsWith("Package: ")) {
                pkg = line.substring(9).strip();
            } else if (line.startsWith("Version: ")) {
                version = line.substring(9).strip();
            } else if (line.startsWith("Status: ")) {
                installed = line.endsWith(" installed");
            }
        }
        if (pkg != null && version != null && installed) {
            out.put(pkg, version);
        }
        Map<String, String> sorted = new LinkedHashMap<>();
        out.keySet().stream().sorted().forEach(k -> sorted.put(k, out.get(k)));
        return sorted;
    }

    private static List<String> chroot(Path root, String program, String verb, List<String> args) {
        List<String> command = new ArrayList<>(List.of("chroot", root.toString(), program, verb));
        command.addAll(args);
        return command;
    }

    private static void installCache(Path cache, Path target, ImageSpec spec) throws IOException {
        Files.copy(cache, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(spec.sourceDateEpoch(), java.util.concurrent.TimeUnit.SECONDS));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /**
     * The runtime tar (bin/, lib/, runtime/, lib/systemd/system/) that goes to /opt/mooring, and
     * its AOT caches: the general one and the overlay service's own (see docs/runtime.md).
     */
    public record RuntimeTar(Path tar, Optional<Path> aotCache, Optional<Path> serviceAotCache) {
    }
}
