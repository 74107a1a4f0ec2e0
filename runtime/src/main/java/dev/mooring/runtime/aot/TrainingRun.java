package dev.mooring.runtime.aot;

import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.NetlinkKernel;
import dev.mooring.runtime.ExitStatus;
import dev.mooring.runtime.Mooring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The workload of the AOT training run ({@code bin/mooring-aot-cache}): the commands a device and
 * a user run most, in one JVM, so the cache holds the classes they load and the profiles of the
 * methods they call. It changes nothing: sample documents are read from this jar into a temporary
 * folder, no command that changes the network runs, and the kernel is only read (one rtnetlink
 * dump, as {@code overlay run} does first, for the FFM and netlink classes).
 */
public final class TrainingRun {

    static final List<String> SAMPLES = List.of("user-data.yaml", "user-data-invalid.yaml", "overlay.yaml",
            "overlay-invalid.yaml", "overlay-status.json");

    private TrainingRun() {}

    /**
     * One command of the training and the status it must end with: a sample that stopped being
     * valid (or a command that vanished) would train the error path instead of the real one.
     */
    record Step(List<String> args, ExitStatus expected) {}

    /** The training's commands, reading the samples from {@code samples}. */
    static List<Step> steps(Path samples) {
        return List.of(
                new Step(List.of("--help"), ExitStatus.OK),
                new Step(List.of("--version"), ExitStatus.OK),
                new Step(List.of("completion"), ExitStatus.OK),
                new Step(List.of("no-such-command"), ExitStatus.USAGE),
                new Step(List.of("userdata", "validate", samples.resolve("user-data.yaml").toString()), ExitStatus.OK),
                new Step(List.of("userdata", "validate", samples.resolve("user-data-invalid.yaml").toString()), ExitStatus.INVALID),
                // overlay.yaml points its status file at the sample: this reads the config and the status, and never
                // touches the kernel (`overlay run` would, so it is not trained).
                new Step(List.of("overlay", "status", "--config", samples.resolve("overlay.yaml").toString()), ExitStatus.OK),
                new Step(List.of("overlay", "status", "--config", samples.resolve("overlay-invalid.yaml").toString()), ExitStatus.INVALID));
    }

    /** Runs the training; prints what each command returned, on stderr. */
    public static void main(String[] args) throws IOException {
        Path samples = Files.createTempDirectory("mooring-aot-training");
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try {
            copySamples(samples);
            // Commands print as they would for a user; the training only needs them to run.
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(discard);
            System.setErr(discard);
            for (Step step : steps(samples)) {
                var command = Mooring.commandLine(Map.of())
                        .setOut(new PrintWriter(discard))
                        .setErr(new PrintWriter(discard));
                int status = command.execute(step.args().toArray(String[]::new));
                String line = "mooring " + String.join(" ", step.args());
                stderr.println(status == step.expected().code()
                        ? "mooring-aot-cache: trained on '" + line + "'"
                        : "mooring-aot-cache: warning: '" + line + "' exited " + status + ", not " + step.expected().code()
                                + "; the cache is trained on the wrong path (update the samples in the mooring jar)");
            }
            observeKernel(stderr);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            for (String sample : SAMPLES) {
                Files.deleteIfExists(samples.resolve(sample));
            }
            Files.deleteIfExists(samples);
        }
    }

    /**
     * Dumps the kernel's links, addresses, routes and forwarding entries over rtnetlink and
     * throws the result away. Without it the cache misses the FFM downcalls and the netlink codec,
     * a third of {@code overlay run}'s start. A build chroot without netlink only loses that.
     */
    private static void observeKernel(PrintStream log) {
        try (Kernel kernel = NetlinkKernel.open()) {
            kernel.observe();
            log.println("mooring-aot-cache: trained on reading the kernel's network state (rtnetlink dump, read-only)");
        } catch (KernelException e) {
            log.println("mooring-aot-cache: warning: cannot read the kernel's network state (" + e.getMessage()
                    + "); the cache will not hold the netlink path");
        }
    }

    /** Copies the samples from this jar into {@code samples}; overlay.yaml's status file is the sample there. */
    static void copySamples(Path samples) throws IOException {
        for (String sample : SAMPLES) {
            copy(sample, samples.resolve(sample));
        }
        Path overlay = samples.resolve("overlay.yaml");
        Files.writeString(overlay, Files.readString(overlay) + "status: " + samples.resolve("overlay-status.json").toAbsolutePath() + "\n");
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = TrainingRun.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException(resource + " is missing from the mooring jar; rebuild it"));
            }
            Files.copy(in, target);
        }
    }
}
