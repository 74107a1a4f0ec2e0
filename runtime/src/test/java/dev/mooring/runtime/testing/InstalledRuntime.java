package dev.mooring.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The runtime tar built by this module's package phase, extracted the way the image build does
 * ({@code tar -x} into {@code <root>/opt/mooring}), and its launcher run as a device runs it.
 *
 * @param home the extracted {@code opt/mooring}
 */
public record InstalledRuntime(Path home) {

    /** Long enough for a JVM on a loaded 2-core machine; a hang fails the test instead of blocking the build. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /** The tar of this build ({@code mooring.runtime.tar}, set by failsafe). */
    public static Path tar() {
        return builtFile("mooring.runtime.tar");
    }

    /** The AOT cache trained on this build's tar ({@code mooring.runtime.aot}). */
    public static Path aotCache() {
        return builtFile("mooring.runtime.aot");
    }

    /**
     * The service's AOT cache trained beside {@link #aotCache} ({@code ...-overlay.aot}); only a
     * build as root trains it.
     */
    public static Path serviceAotCache() {
        String name = aotCache().getFileName().toString();
        return aotCache().resolveSibling(name.substring(0, name.length() - ".aot".length()) + "-overlay.aot");
    }

    /** Skips the calling test, saying why, when the build trained no {@link #serviceAotCache}. */
    public static void assumeServiceAotCache() {
        Assumptions.assumeTrue(Files.isRegularFile(serviceAotCache()),
                "the build trained no service cache (training 'overlay run' needs root, unshare and ip)");
    }

    /** Extracts the tar into {@code root/opt/mooring}. */
    public static InstalledRuntime extract(Path root) throws IOException {
        Path home = Files.createDirectories(root.resolve("opt/mooring"));
        Processes.Result r = Processes.run(List.of("tar", "-xf", tar().toString(), "-C", home.toString()), Map.of(), COMMAND_TIMEOUT);
        if (r.status() != 0) {
            throw new IOException("tar -xf " + tar() + " failed: " + r.err());
        }
        return new InstalledRuntime(home);
    }

    /**
     * Installs the build's AOT caches as {@code lib/mooring.aot} and, when the build trained it,
     * {@code lib/mooring-overlay.aot}, as the image build does.
     */
    public InstalledRuntime withAotCache() throws IOException {
        Files.copy(aotCache(), home.resolve("lib/mooring.aot"), StandardCopyOption.REPLACE_EXISTING);
        if (Files.isRegularFile(serviceAotCache())) {
            Files.copy(serviceAotCache(), home.resolve("lib/mooring-overlay.aot"), StandardCopyOption.REPLACE_EXISTING);
        }
        return this;
    }

    public Path launcher() {
        return home.resolve("bin/mooring");
    }

    /** Runs {@code bin/mooring args} with these extra environment variables. */
    public Processes.Result mooring(Map<String, String> environment, String... args) throws IOException {
        return run(launcher(), environment, args);
    }

    public Processes.Result mooring(String... args) throws IOException {
        return run(launcher(), Map.of(), args);
    }

    /** Runs {@code program args} (a launcher, or a symlink to one) with these extra environment variables. */
    public static Processes.Result run(Path program, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(args));
        return Processes.run(command, environment, COMMAND_TIMEOUT);
    }

    private static Path builtFile(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(property + " is not set: run these tests with Maven's verify phase (failsafe sets it)");
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " does not exist: the package phase builds it (was -Druntime.aot-cache=false given?)");
        }
        return file;
    }
}
