package dev.mooring.runtime.aot;

import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.Link;
import dev.mooring.overlay.kernel.NetlinkKernel;
import dev.mooring.overlay.service.WarmUp;
import dev.mooring.runtime.ExitStatus;
import dev.mooring.runtime.Mooring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The workload of the AOT training run ({@code bin/mooring-aot-cache}): the commands a device and
 * a user run most, in one JVM, so the cache holds the classes they load and the profiles of the
 * methods they call. It changes nothing: sample documents are read from this jar into a temporary
 * folder, no command that changes the network runs, and the kernel is only read (one rtnetlink
 * dump, as {@code overlay run} does first, for the FFM and netlink classes).
 *
 * <p>When {@code bin/mooring-aot-cache} runs as root it starts this JVM in a network namespace of
 * its own (unshare) holding only a veth pair, and names the pair's first end in
 * {@value #UNDERLAY_VARIABLE}: then the last step is a real {@code overlay run} there, until it is
 * ready and has taken the VIP, because the service's start (netlink, the discovery socket, the
 * status file) is most of its time to READY. The namespace dies with the JVM; the host's network
 * is never seen. For the service's own cache ({@value #OVERLAY_RUN_ONLY}) a real hub answers it
 * over HTTPS there ({@link TrainingHub}), so the cache holds the TLS stack a registered device uses.
 */
public final class TrainingRun {

    static final List<String> SAMPLES = List.of("user-data.yaml", "user-data-invalid.yaml", "overlay.yaml",
            "overlay-invalid.yaml", "overlay-status.json");

    /** The veth end in the training's private network namespace; set only by bin/mooring-aot-cache. */
    static final String UNDERLAY_VARIABLE = "MOORING_AOT_TRAIN_UNDERLAY";
    /** A directory bin/mooring-aot-cache creates and removes, for the trained service's state and status. */
    static final String DIRECTORY_VARIABLE = "MOORING_AOT_TRAIN_DIR";
    /** The argument that trains the service's cache: {@code overlay run} alone. */
    static final String OVERLAY_RUN_ONLY = "--overlay-run-only";
    /** After READY: long enough for the VIP hold-off (1 s) and a few discovery rounds. */
    private static final long SERVE_AFTER_READY_MILLIS = 2_000;
    private static final long SERVE_WITH_HUB_MILLIS = 4_000;
    private static final long READY_WITHIN_MILLIS = 30_000;

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

    /**
     * Runs the training; prints what each command returned, on stderr. With
     * {@value #OVERLAY_RUN_ONLY} it trains only {@code overlay run} (in the private namespace), for
     * the service's own cache.
     */
    public static void main(String[] args) throws IOException {
        String trainingDirectory = System.getenv(DIRECTORY_VARIABLE);
        if (List.of(args).equals(List.of(OVERLAY_RUN_ONLY))) {
            String underlay = System.getenv(UNDERLAY_VARIABLE);
            if (underlay == null || trainingDirectory == null) {
                System.err.println("mooring-aot-cache: warning: not training 'overlay run': " + UNDERLAY_VARIABLE + " and "
                        + DIRECTORY_VARIABLE + " are set only inside bin/mooring-aot-cache's private network namespace");
                return;
            }
            // The java launcher looks main up among Mooring's methods, which loads the classes of
            // their signatures (picocli's among them): do the same, so the cache holds them too.
            Mooring.class.getMethods();
            runOverlay(underlay, Path.of(trainingDirectory), true, System.err);
            return;
        }
        // With the overlay step the JVM ends inside it, so the samples go where the script cleans up.
        Path samples = trainingDirectory != null
                ? Files.createDirectories(Path.of(trainingDirectory, "samples"))
                : Files.createTempDirectory("mooring-aot-training");
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
            String underlay = System.getenv(UNDERLAY_VARIABLE);
            if (underlay != null && trainingDirectory != null) {
                runOverlay(underlay, Path.of(trainingDirectory), false, stderr);
            }
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

    /**
     * Runs {@code mooring overlay run} in the training's private namespace until it is ready and
     * has served for a while, then ends the JVM with status 0 (its shutdown hook stops the service
     * as SIGTERM would, and the JVM writes the cache as it exits). Refuses, and trains nothing more,
     * when the namespace holds any link besides loopback and the veth pair: then it is not ours.
     */
    private static void runOverlay(String underlay, Path directory, boolean withHub, PrintStream log) {
        try (Kernel kernel = NetlinkKernel.open()) {
            List<String> foreign = kernel.observe().links().stream()
                    .map(Link::name)
                    .filter(name -> !name.equals("lo") && !name.startsWith("mr-train"))
                    .toList();
            if (!foreign.isEmpty()) {
                log.println("mooring-aot-cache: warning: not training 'overlay run': this network namespace has " + foreign
                        + ", so it is not the private one bin/mooring-aot-cache makes");
                return;
            }
        } catch (KernelException e) {
            log.println("mooring-aot-cache: warning: not training 'overlay run': " + e.getMessage());
            return;
        }
        Path config = directory.resolve("overlay.yaml");
        Path status = directory.resolve("overlay.json");
        // The service's cache is trained as a registered device runs: managed by a hub, over HTTPS.
        Optional<TrainingHub> hub = withHub ? TrainingHub.start(directory, "training", "training-1", log) : Optional.empty();
        hub.ifPresent(h -> Runtime.getRuntime().addShutdownHook(new Thread(h::close, "mooring-aot-training-hub")));
        try {
            Files.writeString(config, """
                    cluster: training
                    host: {name: training-1, id: training-1}
                    role: control-plane
                    overlay:
                      cidr: 100.64.192.0/23
                      address: 100.64.192.10
                      underlay: %s
                      key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
                    peers:
                      - {host: training-2, address: 100.64.192.11, underlay: 198.51.100.2}
                    state: %s
                    status: %s
                    """.formatted(underlay, directory.resolve("state"), status)
                    + hub.map(h -> "hub: {credentials: " + h.credentials() + ", heartbeat: 1s}\n").orElse(""));
        } catch (IOException e) {
            log.println("mooring-aot-cache: warning: not training 'overlay run': " + e.getMessage());
            return;
        }
        AtomicBoolean finishing = new AtomicBoolean();
        Thread finish = Thread.ofPlatform().daemon().name("mooring-aot-training").start(() -> {
            long deadline = System.currentTimeMillis() + READY_WITHIN_MILLIS;
            try {
                while (!Files.exists(status) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                boolean ready = Files.exists(status);
                if (ready) {
                    // With a hub, time for the first heartbeat's handshake too.
                    Thread.sleep(hub.isPresent() ? SERVE_WITH_HUB_MILLIS : SERVE_AFTER_READY_MILLIS);
                }
                log.println(ready ? "mooring-aot-cache: trained on 'mooring overlay run' (private network namespace, "
                        + underlay + ")" : "mooring-aot-cache: warning: 'overlay run' was not ready within "
                        + READY_WITHIN_MILLIS / 1000 + " s; the cache holds what it loaded so far");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finishing.set(true);
            System.exit(0);
        });
        // The way bin/mooring starts the service (Mooring.main): warm-up, no command model.
        WarmUp.startInBackground();
        int exit = Mooring.runOverlayService(config, Map.of(), new PrintWriter(System.err, true));
        // Reached at the end (the exit stopped the service) or when it could not start: then say so.
        if (!finishing.get()) {
            log.println("mooring-aot-cache: warning: 'mooring overlay run' exited " + exit + " in the training namespace");
            finish.interrupt();
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

    /** Copies {@code resource}, beside this class in the mooring jar, to {@code target}. */
    static void copy(String resource, Path target) throws IOException {
        try (InputStream in = TrainingRun.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the mooring jar; rebuild it");
            }
            Files.copy(in, target);
        }
    }
}
