package dev.mooring.lab.tiny;

import dev.mooring.lab.BootMode;
import dev.mooring.lab.HostCommand;
import dev.mooring.lab.ShellProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny real guest for testing the lab itself before any Mooring image exists: Debian's kernel
 * ({@code apt-get download} + {@code dpkg -x}, cached) and a busybox initramfs built here in about
 * two seconds. Its /init loads virtio_pci and virtio_net, runs udhcpc on eth0 (printing
 * {@code tiny: lease <ip>} on the console), takes a new lease when the carrier comes back (as
 * networkd does), and runs the lab shell on ttyS1.
 */
public final class TinyGuest {
    /** Console line once /init has started everything. */
    public static final String READY_LINE = "tiny: ready";
    /** Console line per applied lease; group 1 is the address. */
    public static final Pattern LEASE_LINE = Pattern.compile("tiny: lease (\\d+\\.\\d+\\.\\d+\\.\\d+)");

    private static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
            /bin/busybox --install -s
            mount -t proc proc /proc
            mount -t sysfs sys /sys
            mount -t devtmpfs dev /dev
            for m in $(cat /etc/modules.order); do insmod "/lib/modules/$m.ko"; done
            ip link set lo up
            ip link set eth0 up
            echo "tiny: eth0 $(cat /sys/class/net/eth0/address)"
            udhcpc -i eth0 -s /etc/udhcpc.script -b -t 3 -T 1 -A 1 -p /run/udhcpc.pid
            # On carrier regain take a new lease, as systemd-networkd does (release, then discover).
            (
              last=1
              while sleep 1; do
                c=$(cat /sys/class/net/eth0/carrier 2>/dev/null || echo 0)
                if [ "$c" != "$last" ]; then
                  echo "tiny: carrier $c"
                  if [ "$c" = 1 ] && [ -f /run/udhcpc.pid ]; then
                    kill -USR2 "$(cat /run/udhcpc.pid)"; sleep 1; kill -USR1 "$(cat /run/udhcpc.pid)"
                  fi
                  last=$c
                fi
              done
            ) &
            sh /etc/lab-shell /dev/ttyS1 &
            echo "%s"
            while true; do sleep 3600; done
            """.formatted(READY_LINE);

    private static final String UDHCPC_SCRIPT = """
            #!/bin/sh
            # udhcpc daemonizes once bound (stdout becomes /dev/null): report on the console itself.
            exec >/dev/console 2>&1
            case "$1" in
              deconfig) ip -4 addr flush dev "$interface"; echo "tiny: deconfig" ;;
              bound|renew)
                ip -4 addr flush dev "$interface"
                ip addr add "$ip/${mask:-24}" dev "$interface"
                [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
                echo "tiny: lease $ip" ;;
            esac
            exit 0
            """;

    private final Path kernel;
    private final Path initrd;

    private TinyGuest(Path kernel, Path initrd) {
        this.kernel = kernel;
        this.initrd = initrd;
    }

    /** The cache: {@code -Dmooring.lab.cache}, else {@code ~/.cache/mooring-lab}. */
    public static Path cacheDirectory() {
        String configured = System.getProperty("mooring.lab.cache");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "mooring-lab");
    }

    /** Downloads (once) Debian's current kernel package and builds (once per content) the initramfs. */
    public static TinyGuest prepare() throws IOException {
        Path cache = Files.createDirectories(cacheDirectory());
        String kernelPackage = System.getProperty("mooring.lab.kernel.package", currentKernelPackage());
        Path tree = kernelTree(cache, kernelPackage);
        String version = kernelPackage.substring("linux-image-".length());
        Path vmlinuz = tree.resolve("boot/vmlinuz-" + version);
        Path moduleRoot = tree.resolve("lib/modules/" + version);
        Map<String, Path> modules = KernelModules.index(moduleRoot);
        List<String> order = KernelModules.loadOrder(List.of("virtio_pci", "virtio_net"), name -> {
            Path file = modules.get(name);
            if (file == null) {
                throw new IllegalStateException("module " + name + " is not in " + moduleRoot);
            }
            try {
                return KernelModules.dependsOf(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String key = digest(version + "\n" + order + "\n" + INIT + UDHCPC_SCRIPT + ShellProtocol.GUEST_SCRIPT);
        Path initrd = cache.resolve("tiny-" + key + ".cpio.gz");
        if (!Files.exists(initrd)) {
            buildInitrd(initrd, order, modules);
        }
        return new TinyGuest(vmlinuz, initrd);
    }

    /** Direct kernel boot of this guest. */
    public BootMode boot() {
        return new BootMode.DirectKernel(kernel, initrd, "console=ttyS0 quiet panic=-1");
    }

    public Path kernel() {
        return kernel;
    }

    public Path initrd() {
        return initrd;
    }

    private static String currentKernelPackage() {
        String out = HostCommand.run("apt-cache", "depends", "linux-image-amd64").orThrow().stdout();
        Matcher m = Pattern.compile("Depends: (linux-image-[0-9][^\\s]*-amd64)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("apt-cache depends linux-image-amd64 names no kernel package:\n" + out);
        }
        return m.group(1);
    }

    private static Path kernelTree(Path cache, String kernelPackage) throws IOException {
        Path tree = cache.resolve(kernelPackage);
        if (Files.isDirectory(tree)) {
            return tree;
        }
        Path download = Files.createDirectories(cache.resolve("kernel"));
        try (var debs = Files.list(download)) {
            if (debs.noneMatch(p -> p.getFileName().toString().startsWith(kernelPackage + "_"))) {
                HostCommand.run(List.of("sh", "-c", "cd '" + download + "' && apt-get download -q " + kernelPackage)).orThrow();
            }
        }
        Path deb;
        try (var debs = Files.list(download)) {
            deb = debs.filter(p -> p.getFileName().toString().startsWith(kernelPackage + "_")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download " + kernelPackage + " left no .deb in " + download));
        }
        Path partial = Files.createTempDirectory(cache, kernelPackage + ".partial-");
        HostCommand.run("dpkg", "-x", deb.toString(), partial.toString()).orThrow();
        Files.move(partial, tree, StandardCopyOption.ATOMIC_MOVE);
        return tree;
    }

    private static void buildInitrd(Path target, List<String> order, Map<String, Path> modules) throws IOException {
        Path root = Files.createTempDirectory("mr-tiny-");
        try {
            Path busybox = Path.of("/bin/busybox");
            copy(busybox, root.resolve("bin/busybox"));
            for (Path library : libraries(busybox)) {
                copy(library, root.resolve(library.toString().substring(1)));
            }
            for (String module : order) {
                copy(modules.get(module), root.resolve("lib/modules/" + module + ".ko"));
            }
            write(root.resolve("etc/modules.order"), String.join("\n", order) + "\n");
            write(root.resolve("init"), INIT);
            write(root.resolve("etc/udhcpc.script"), UDHCPC_SCRIPT);
            write(root.resolve("etc/lab-shell"), ShellProtocol.GUEST_SCRIPT);
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            HostCommand.run("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > '" + partial + "'").orThrow();
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            HostCommand.run("rm", "-rf", root.toString());
        }
    }

    /** The shared libraries {@code binary} needs, from ldd (the loader included). */
    private static Set<Path> libraries(Path binary) {
        Set<Path> libraries = new LinkedHashSet<>();
        String out = HostCommand.run("ldd", binary.toString()).stdout();
        for (String line : out.split("\n")) {
            Matcher m = Pattern.compile("(/\\S+)").matcher(line.contains("=>") ? line.substring(line.indexOf("=>")) : line);
            if (m.find()) {
                libraries.add(Path.of(m.group(1)));
            }
        }
        return libraries;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
