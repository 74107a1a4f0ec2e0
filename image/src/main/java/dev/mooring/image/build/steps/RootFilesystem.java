package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.Progress;
import dev.mooring.image.build.Sha256;
import dev.mooring.image.build.Tools;
import dev.mooring.image.spec.ImageSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step 1: the Debian root filesystem as a tar, made by mmdebstrap and cached under a key that is
 * the SHA-256 of everything it depends on (suite, mirror, package list, initramfs modules, left
 * out module folders, the hook scripts, mmdebstrap's version). An unchanged base is never rebuilt.
 * A spec that names its own rootfs tarball skips mmdebstrap.
 *
 * <p>Output: {@code <cache>/rootfs-<key>.tar}.
 */
public final class RootFilesystem {

    /**
     * Packages every Mooring image has, besides the kernel and the spec's own. mtools and xorriso:
     * mooring firstboot reads NoCloud seeds (CIDATA vfat, iso9660) with them instead of mounting;
     * without them no seed is ever read on the device.
     */
    public static final List<String> BASE_PACKAGES = List.of("systemd", "systemd-sysv", "systemd-resolved", "udev",
            "dbus", "iproute2", "kmod", "initramfs-tools", "busybox", "zstd", "ca-certificates", "systemd-boot-efi",
            "mtools", "xorriso");
    /** Bump when the way the rootfs is made changes in a way the inputs below do not show. */
    static final String RECIPE = "mooring-rootfs-1";

    private static final Pattern MISSING = Pattern.compile("Unable to locate package\\s+(\\S+)|Package '?([^\\s']+)'? has no installation candidate");

    public record Output(Path tar, String key, boolean cached) {
    }

    private final Tools tools;
    private final Path cacheDir;

    public RootFilesystem(Tools tools, Path cacheDir) {
        this.tools = tools;
        this.cacheDir = cacheDir;
    }

    /** Everything mmdebstrap installs, in a stable order. */
    public static List<String> packages(ImageSpec spec) {
        TreeSet<String> all = new TreeSet<>(BASE_PACKAGES);
        all.add(spec.kernel().packageName());
        if (spec.kubernetes().etcd()) {
            all.add("etcd-server");
        }
        all.addAll(spec.base().packages());
        return List.copyOf(all);
    }

    /** The cache key: changes whenever anything that shapes the tar changes. */
    public static String key(ImageSpec spec, String mmdebstrapVersion) {
        List<String> parts = new ArrayList<>();
        parts.add(RECIPE);
        parts.add(spec.base().suite());
        parts.add(spec.base().mirror());
        parts.addAll(packages(spec));
        parts.add("--modules");
        parts.addAll(spec.kernel().modules());
        parts.add("--omit");
        parts.addAll(spec.kernel().omitModules());
        parts.add(hook("essential-hook.sh"));
        parts.add(hook("customize-hook.sh"));
        parts.add(mmdebstrapVersion);
        return Sha256.ofParts(parts);
    }

    public Output run(ImageSpec spec, Progress progress) throws BuildException {
        if (spec.base().rootfsTar().isPresent()) {
            return new Output(spec.base().rootfsTar().get(), "given", true);
        }
        String version = tools.run(List.of("mmdebstrap", "--version"), "asking mmdebstrap for its version").output().strip();
        String key = key(spec, version);
        Path tar = cacheDir.resolve("rootfs-" + key.substring(0, 32) + ".tar");
        if (Files.isRegularFile(tar)) {
            progress.detail("rootfs", "cached " + tar);
            return new Output(tar, key, true);
        }
        try {
            Files.createDirectories(cacheDir);
            Path hooks = Files.createTempDirectory(cacheDir, "hooks-");
            Path essential = writeHook(hooks, "essential-hook.sh");
            Path customize = writeHook(hooks, "customize-hook.sh");
            Path partial = cacheDir.resolve(tar.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
            try {
                List<String> command = new ArrayList<>(List.of("mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar",
                        "--include=" + String.join(",", packages(spec)),
                        "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                        "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
                        "--dpkgopt=path-exclude=/usr/share/info/*",
                        "--essential-hook=" + essential + " \"$1\" '" + String.join(" ", spec.kernel().modules()) + "'",
                        "--customize-hook=" + customize + " \"$1\" '" + String.join(" ", spec.kernel().omitModules()) + "'",
                        spec.base().suite(), partial.toString(), spec.base().mirror()));
                Tools.Result result = tools.tryRun(command, line -> {
                    if (line.startsWith("I: ")) {
                        progress.detail("rootfs", line.substring(3));
                    }
                });
                if (result.exitCode() != 0) {
                    throw failure(spec, result);
                }
                Files.move(partial, tar, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(essential);
                Files.deleteIfExists(customize);
                Files.deleteIfExists(hooks);
            }
        } catch (IOException e) {
            throw new BuildException("cannot write the root filesystem cache " + cacheDir + ": " + e.getMessage(),
                    "give a writable cache folder with --cache DIR (or MOORING_IMAGE_CACHE)", e);
        }
        return new Output(tar, key, false);
    }

    /** A missing package is the common case: name it; else show mmdebstrap's last lines. */
    private static BuildException failure(ImageSpec spec, Tools.Result result) {
        List<String> missing = new ArrayList<>();
        for (String line : result.output().lines().toList()) {
            if (line.contains("Unable to locate package") || line.contains("has no installation candidate")) {
                Matcher m = MISSING.matcher(line);
                if (m.find()) {
                    missing.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        if (!missing.isEmpty()) {
            return new BuildException("package " + String.join(", ", missing) + " is not in Debian " + spec.base().suite()
                    + " at " + spec.base().mirror() + " (" + spec.file() + ": base.packages or kernel.package)",
                    "check the spelling (apt-cache search " + missing.getFirst() + "), or remove it from the spec");
        }
        List<String> last = result.lastLines(15);
        return new BuildException("mmdebstrap failed (exit " + result.exitCode() + "):\n  " + String.join("\n  ", last),
                "check the mirror (" + spec.base().mirror() + ") and the network; the lines above are mmdebstrap's");
    }

    static String hook(String name) {
        try (InputStream in = RootFilesystem.class.getResourceAsStream("/dev/mooring/image/" + name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("the hook " + name + " is part of the image jar", e);
        }
    }

    private static Path writeHook(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, hook(name));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
