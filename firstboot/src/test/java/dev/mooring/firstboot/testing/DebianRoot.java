package dev.mooring.firstboot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A small real Debian root for first-boot tests: this Debian host's own account databases,
 * login.defs, /etc/skel, hosts, one zoneinfo file and a machine id, copied with their modes and
 * owners. Enough for first boot to do what it does on a device, without chroot.
 */
public final class DebianRoot {

    private static final List<String> FILES = List.of("etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/login.defs",
            "etc/default/useradd", "etc/hosts");

    private DebianRoot() {
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Builds the fixture under {@code root} (which must exist and be empty). */
    public static Path create(Path root) throws IOException {
        for (String f : FILES) {
            Path source = Path.of("/", f);
            if (Files.exists(source)) {
                Path target = root.resolve(f);
                Files.createDirectories(target.getParent());
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                copyOwner(source, target);
            }
        }
        copyTree(Path.of("/etc/skel"), root.resolve("etc/skel"));
        Files.writeString(root.resolve("etc/hostname"), "debian\n");
        Files.writeString(root.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
        Path zone = Path.of("/usr/share/zoneinfo/Europe/Berlin");
        Path zoneTarget = root.resolve("usr/share/zoneinfo/Europe/Berlin");
        Files.createDirectories(zoneTarget.getParent());
        if (Files.exists(zone)) {
            Files.copy(zone, zoneTarget, StandardCopyOption.COPY_ATTRIBUTES);
        } else {
            Files.writeString(zoneTarget, "TZif");
        }
        Files.createDirectories(root.resolve("home"));
        Files.createDirectories(root.resolve("etc/sudoers.d"));
        Files.createDirectories(root.resolve("etc/systemd/network"));
        Files.writeString(root.resolve("etc/systemd/network/90-mooring-dhcp.network"), "[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n");
        Files.createDirectories(root.resolve("var/lib"));
        Files.createDirectories(root.resolve("usr/sbin"));
        return root;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void copyOwner(Path source, Path target) throws IOException {
        if (isRoot()) {
            Files.setAttribute(target, "unix:uid", Files.getAttribute(source, "unix:uid"));
            Files.setAttribute(target, "unix:gid", Files.getAttribute(source, "unix:gid"));
            Files.setAttribute(target, "unix:mode", Files.getAttribute(source, "unix:mode"));
        }
    }

    /** Every path under {@code root} → "type mode uid:gid sha256-or-target", for comparing two roots. */
    public static Map<String, String> snapshot(Path root, Predicate<String> include) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = "/" + root.relativize(p);
                if (!include.test(rel)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                String kind = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + sha256(Files.readAllBytes(p));
                out.put(rel, kind + " 0" + Integer.toOctalString((Integer) a.get("mode") & 07777) + " " + a.get("uid") + ":" + a.get("gid"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static String read(Path root, String path) {
        try {
            return Files.readString(root.resolve(path.substring(1)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 12);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
