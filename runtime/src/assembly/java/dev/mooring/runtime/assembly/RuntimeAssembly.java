package dev.mooring.runtime.assembly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Assembles the device runtime: the tree that goes to {@code /opt/mooring} (the jlinked JDK under
 * {@code runtime/}, the jars under {@code lib/}, the launchers under {@code bin/}, the systemd
 * units under {@code lib/systemd/system/}) as a reproducible tar, and, beside it, the JDK AOT cache
 * trained on that tree.
 *
 * <p>The tar is byte-reproducible: jlink's output is (checked), entries are sorted, mtimes fixed,
 * owners numeric 0, modes normalised. The AOT cache is not (method profiles and class-loading
 * order depend on timing), so it is not in the tar: it is written to its own file, and the
 * image build copies it into {@code lib/mooring.aot} or trains one in place with
 * {@code bin/mooring-aot-cache}.
 *
 * <p>Run by Maven in runtime's {@code package} phase with the JDK's source launcher ({@code java
 * RuntimeAssembly.java --key=value ...}); it is a build tool, so it is not in the device's jar.
 */
public final class RuntimeAssembly {

    /**
     * The JVM flags of every mooring process on the device, identical for the AOT training run and
     * for the launcher, because the JVM refuses a cache trained with other flags. Native access is
     * not here: jlink bakes it into the runtime ({@link #BAKED_OPTIONS}), so the training run and
     * every later run see the same value (a CDS/AOT archive dumped with another value is refused).
     */
    static final List<String> JVM_FLAGS = List.of(
            "-XX:+UseSerialGC",            // one small heap, no GC threads: a CLI and a small daemon
            "-XX:TieredStopAtLevel=1",     // C1 only: faster warm-up, less compiler memory
            // C1 compiles a method after 10x the usual calls and loops: at start, code that runs a few
            // hundred times stays interpreted instead of competing for the two cores the start needs
            // (READY 8-20 ms sooner, 30-40 ms less CPU, interleaved runs); hot loops are still compiled.
            "-XX:CompileThresholdScaling=10",
            "-Xms8m",                      // start small: the idle daemon's RSS is ~68 MB, not ~82 MB
            "-Xmx64m",                     // the overlay daemon's heap bound
            "-Xss512k",                    // few threads, shallow stacks
            "-XX:+ExitOnOutOfMemoryError", // let systemd restart a daemon that ran out of memory
            "-XX:-UsePerfData",            // no /tmp/hsperfdata file: nothing reads it on a device
            // glibc keeps freed start-up memory in its arenas; trimming every 5 s gives ~5 MB of the idle
            // daemon's RSS back (measured) at a cost of microseconds. A CLI exits before the first trim.
            "-XX:TrimNativeHeapInterval=5000",
            "-Xlog:disable",               // JVM warnings (e.g. a stale AOT cache) to stderr, never
            "-Xlog:all=warning:stderr",    // into a command's stdout
            // JDK 25 stores the interpreter/compiled-code adapters in the cache as machine code for the
            // training machine's CPU (AVX-512 on the build host): a device or a QEMU qemu64 guest
            // without those instructions dies with SIGILL in an AdapterBlob. The cache is trained on one
            // machine and used on others, so it holds no machine code; adapters are made at start.
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:-AOTAdapterCaching",
            // No method profiles in the cache: with C1 alone nothing reads them, and replaying them
            // queued the training's compilations at start, on the cores the start needs (READY ~45 ms
            // later, measured). The training records none, so the cache is smaller too.
            "-XX:-AOTRecordTraining",
            "-XX:-AOTReplayTraining",
            // The first channel (the service's UDP socket) looks up a SelectorProvider: without this
            // property, a service-loader search that opens every jar on the class path (~15 ms at
            // start, measured). Named, the JDK's own epoll provider is made at once.
            "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider");

    /** Options jlink stores in the runtime, applied to every start before the command line's. */
    static final String BAKED_OPTIONS = "--enable-native-access=ALL-UNNAMED";

    private static final Pattern PLACEHOLDER = Pattern.compile("@[A-Z_]+@");

    private final AssemblyInputs in;

    private RuntimeAssembly(AssemblyInputs in) {
        this.in = in;
    }

    /** Arguments: see {@link AssemblyInputs#parse}. Exits 1 with one line on stderr when a step fails. */
    public static void main(String[] args) {
        try {
            new RuntimeAssembly(AssemblyInputs.parse(args)).assemble();
        } catch (AssemblyException e) {
            System.err.println("runtime assembly: " + e.getMessage());
            System.exit(1);
        }
    }

    private void assemble() {
        Path stage = in.work().resolve("opt-mooring");
        deleteTree(stage);
        List<Path> jars = classPath();
        Set<String> modules = JdkModules.of(in.javaHome(), jars, in.excludedModules(), System.out);
        List<String> shapes = MethodHandleShapes.read(in.sources().resolve("jlink/method-handles.txt"));
        Tools.jlink(in.javaHome(), modules, BAKED_OPTIONS,
                MethodHandleShapes.forJlink(in.javaHome(), shapes, in.work().resolve("method-handles.txt")), stage.resolve("runtime"));
        MethodHandleShapes.addToClassList(stage.resolve("runtime"), shapes);
        JdkModules.checkLeftOut(stage.resolve("runtime"), in.excludedModules());

        Path lib = stage.resolve("lib");
        List<String> classPathOnDevice = new ArrayList<>();
        for (Path jar : jars) {
            LibraryJars.Changes changes = LibraryJars.copy(jar, lib.resolve(jar.getFileName().toString()));
            if (!changes.none()) {
                System.out.println("runtime assembly: " + jar.getFileName() + ": " + changes.raised()
                        + " class files raised from Java 5 to Java 8 (so the AOT cache can link them), "
                        + changes.leftOut() + " entries for other platforms left out");
            }
            classPathOnDevice.add("$home/lib/" + jar.getFileName());
        }
        List<Path> serviceJars = ServiceClassPath.of(in.javaHome(), in.mainJar(),
                in.libDir().resolve(in.service() + "-" + in.version() + ".jar"), jars, System.out);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("@JVM_FLAGS@", String.join(" ", JVM_FLAGS));
        values.put("@CLASS_PATH@", String.join(":", classPathOnDevice));
        values.put("@SERVICE_CLASS_PATH@", serviceJars.stream().map(jar -> "$home/lib/" + jar.getFileName())
                .collect(Collectors.joining(":")));
        for (String launcher : List.of("mooring", "mooring-aot-cache")) {
            writeTemplate(in.sources().resolve("launcher").resolve(launcher), stage.resolve("bin").resolve(launcher), values);
        }
        try (Stream<Path> units = Files.list(in.sources().resolve("systemd"))) {
            for (Path unit : units.sorted().toList()) {
                copy(unit, stage.resolve("lib/systemd/system").resolve(unit.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new AssemblyException("cannot list the systemd units in " + in.sources().resolve("systemd"), e);
        }
        copy(in.doc(), stage.resolve("share/doc/mooring/runtime.md"));
        normalise(stage, in.timestamp());

        Path tar = in.output().resolve("mooring-runtime-" + in.version() + ".tar");
        Tools.tar(stage, tar, in.timestamp());
        System.out.println("runtime assembly: " + tar + " sha256 " + sha256(tar));

        if (in.trainAotCache()) {
            Path cache = in.output().resolve("mooring-runtime-" + in.version() + ".aot");
            // The JVM logs every class it cannot archive: to a file, not the build log.
            Path log = in.work().resolve("aot-training.log");
            Tools.run(List.of(stage.resolve("bin/mooring-aot-cache").toString(), cache.toString()), stage, log);
            System.out.println("runtime assembly: " + cache + " (AOT cache for this tar, not reproducible; see docs/runtime.md;"
                    + " training log " + log + ")");
            Path serviceCache = in.output().resolve("mooring-runtime-" + in.version() + "-overlay.aot");
            System.out.println(Files.isRegularFile(serviceCache)
                    ? "runtime assembly: " + serviceCache + " (the service's AOT cache, trained on 'overlay run' alone)"
                    : "runtime assembly: no service AOT cache (training 'overlay run' needs root, unshare and ip); the service uses "
                            + cache.getFileName());
        }
    }

    /** mooring's jar first (its classes are looked up most), then the dependencies by file name. */
    private List<Path> classPath() {
        List<Path> jars = new ArrayList<>();
        jars.add(in.mainJar());
        try (Stream<Path> deps = Files.list(in.libDir())) {
            deps.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        } catch (IOException e) {
            throw new AssemblyException("cannot list the dependency jars in " + in.libDir() + "; run the package phase", e);
        }
        return jars;
    }

    private static void writeTemplate(Path template, Path target, Map<String, String> values) {
        try {
            String text = Files.readString(template);
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace(value.getKey(), value.getValue());
            }
            Matcher unfilled = PLACEHOLDER.matcher(text);
            if (unfilled.find()) {
                throw new AssemblyException(template + " has a placeholder this assembly does not fill: " + unfilled.group());
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, text);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new AssemblyException("cannot write the launcher " + target + " from " + template, e);
        }
    }

    /**
     * Fixed mtimes on every file (the tar would fix them anyway, but the AOT cache checks the jars'
     * mtimes, so the tree it is trained on must carry the tar's) and modes that depend on nothing
     * but the file kind: 0755 for directories and executables, 0644 for the rest.
     */
    private static void normalise(Path root, Instant timestamp) {
        FileTime time = FileTime.from(timestamp);
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted().toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean executable = Files.isDirectory(p) || Files.isExecutable(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        } catch (IOException e) {
            throw new AssemblyException("cannot set the modes under " + root, e);
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.toList()) {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(time, time, null);
            }
        } catch (IOException e) {
            throw new AssemblyException("cannot set the modification times under " + root, e);
        }
    }

    static String sha256(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new AssemblyException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssemblyException("cannot copy " + from + " to " + to, e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted().toList().reversed()) {
                Files.delete(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new AssemblyException("cannot delete the old " + root + "; delete it by hand", e);
        }
    }

    /** Names of the top-level entries of {@code root}, sorted: the tar's arguments. */
    static List<String> topLevel(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssemblyException("cannot list " + root, e);
        }
    }
}
