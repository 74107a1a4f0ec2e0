package dev.mooring.runtime.bench;

import dev.mooring.overlay.testing.NetnsAvailable;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.runtime.testing.OverlayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Time from process start to READY of {@code mooring overlay run} on a fresh {@link OverlayNode}
 * (the service writes its status file just before it sends READY=1, so the file's appearance is
 * the mark; the file is on a tmpfs, as /run is on a device, and waited for on inotify, so the
 * harness takes no CPU from the start it measures), on the jlinked runtime with and without the AOT cache, against the stock JDK 25 in
 * the same run; and the memory of the idle service (aot variant) 12 s after READY, once the
 * launcher's periodic native-heap trim (every 5 s) has run after the start: its RSS and the
 * private (anonymous) part of it; then the same for a hub-managed configuration whose hub is
 * away ({@link OverlayNode#create(Path, boolean)}); then for a device registered with a real hub
 * that answers over HTTPS ({@link OverlayNode#createHubManaged}). Each sample gets its own
 * namespaces, deleted afterwards.
 *
 * <p>Needs root (network namespaces). Run after {@code make build runtime-tar}, from the checkout:
 * {@code java -cp <runtime test class path> dev.mooring.runtime.bench.OverlayReadyBench [--n=20] [--tar=..] [--aot=..]}
 */
public final class OverlayReadyBench {

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    /** Idle means after start-up's garbage is gone: at least one native-heap trim after READY, even on a slow start. */
    private static final Duration IDLE_BEFORE_RSS = Duration.ofSeconds(12);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private OverlayReadyBench() {}

    public static void main(String[] args) throws Exception {
        Optional<String> missing = NetnsAvailable.missingPrerequisite();
        if (missing.isPresent()) {
            System.err.println("OverlayReadyBench skipped: " + missing.get());
            return;
        }
        Path scratch = Files.createTempDirectory("mooring-ready-bench");
        try {
            BenchRuntime runtime = BenchRuntime.prepare(args, scratch);
            int n = BenchRuntime.samples(args, 20);
            Map<String, List<Double>> ready = new LinkedHashMap<>();
            for (String variant : List.of("aot", "no-aot", "stock")) {
                ready.put(variant, new ArrayList<>());
            }
            List<Double> rss = new ArrayList<>();
            List<Double> anonymous = new ArrayList<>();
            for (int round = -1; round < n; round++) {
                for (String variant : ready.keySet()) {
                    List<String> mooring = switch (variant) {
                        case "aot" -> List.of(runtime.withCache().launcher().toString());
                        case "no-aot" -> List.of(runtime.withoutCache().launcher().toString());
                        default -> runtime.stockJdk();
                    };
                    Sample s = sample(mooring, Files.createDirectories(scratch.resolve(variant)), variant.equals("aot") && round >= 0, false);
                    if (round >= 0) {
                        ready.get(variant).add(s.readyMillis());
                        s.memory().ifPresent(m -> {
                            rss.add(m.residentMiB());
                            anonymous.add(m.anonymousMiB());
                        });
                    }
                }
            }
            // A registered device: the same start with a hub section, its hub away (the client's
            // classes, Jackson and java.net.http and TLS, are loaded after READY either way).
            List<Double> hubReady = new ArrayList<>();
            List<Double> hubRss = new ArrayList<>();
            List<Double> hubAnonymous = new ArrayList<>();
            for (int round = 0; round < n; round++) {
                Sample s = sample(List.of(runtime.withCache().launcher().toString()),
                        Files.createDirectories(scratch.resolve("hub")), true, true);
                hubReady.add(s.readyMillis());
                s.memory().ifPresent(m -> {
                    hubRss.add(m.residentMiB());
                    hubAnonymous.add(m.anonymousMiB());
                });
            }
            // A registered device with its hub there, over HTTPS: heartbeats answered with 200 and the
            // peer list, so the idle figure includes the TLS stack and the hub client's steady state.
            List<Double> liveHubReady = new ArrayList<>();
            List<Double> liveHubRss = new ArrayList<>();
            List<Double> liveHubAnonymous = new ArrayList<>();
            for (int round = 0; round < n; round++) {
                Path directory = Files.createDirectories(scratch.resolve("live-hub-" + round));
                List<String> mooring = List.of(runtime.withCache().launcher().toString());
                try (OverlayNode node = OverlayNode.createHubManaged(directory, mooring)) {
                    // Measured only if the hub really answered: else this would be the hub-away figure again.
                    Sample s = sample(node, mooring, true, Optional.of("heartbeat and peer list ok"));
                    liveHubReady.add(s.readyMillis());
                    s.memory().ifPresent(m -> {
                        liveHubRss.add(m.residentMiB());
                        liveHubAnonymous.add(m.anonymousMiB());
                    });
                }
            }
            String baseline = "stock JDK " + Runtime.version().feature() + " java -cp, no AOT cache";
            System.out.println(BenchRuntime.json("runtime-overlay-ready", "ms", ready.get("aot"), baseline, ready.get("stock")));
            System.out.println(BenchRuntime.json("runtime-overlay-ready-no-aot-cache", "ms", ready.get("no-aot"), baseline, ready.get("stock")));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss", "MiB", rss, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss-anonymous", "MiB", anonymous, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-ready-hub-managed", "ms", hubReady, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss-hub-managed", "MiB", hubRss, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss-anonymous-hub-managed", "MiB", hubAnonymous, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-ready-hub-reachable", "ms", liveHubReady, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss-hub-reachable", "MiB", liveHubRss, null, null));
            System.out.println(BenchRuntime.json("runtime-overlay-idle-rss-anonymous-hub-reachable", "MiB", liveHubAnonymous, null, null));
        } finally {
            StartupBench.deleteTree(scratch);
        }
    }

    private record Sample(double readyMillis, Optional<Memory> memory) {}

    /**
     * @param residentMiB  VmRSS
     * @param anonymousMiB the process's private memory (Pss_Anon): RSS less the file pages (libjvm,
     *                     the AOT cache, jars) that every mooring process shares
     */
    private record Memory(double residentMiB, double anonymousMiB) {}

    private static Sample sample(List<String> mooring, Path directory, boolean measureRss, boolean hubManaged) throws Exception {
        try (OverlayNode node = OverlayNode.create(directory, hubManaged)) {
            return sample(node, mooring, measureRss, Optional.empty());
        }
    }

    /** One start; with {@code mustSay}, fails unless the service's output has that text when it stops. */
    private static Sample sample(OverlayNode node, List<String> mooring, boolean measureRss, Optional<String> mustSay) throws Exception {
        long start = System.nanoTime();
        NetnsLab.Background overlay = node.start(mooring);
        node.awaitReady(overlay, READY_WITHIN);
        double millis = (System.nanoTime() - start) / 1e6;
        Optional<Memory> memory = Optional.empty();
        if (measureRss) {
            Thread.sleep(IDLE_BEFORE_RSS.toMillis());
            memory = Optional.of(new Memory(kibibytes(Path.of("/proc/" + overlay.pid() + "/status"), "VmRSS:") / 1024.0,
                    kibibytes(Path.of("/proc/" + overlay.pid() + "/smaps_rollup"), "Pss_Anon:") / 1024.0));
        }
        String output = overlay.output();
        overlay.stop(STOP_GRACE);
        if (mustSay.isPresent() && !output.contains(mustSay.get())) {
            throw new IOException("mooring overlay run never said '" + mustSay.get() + "'; its output:\n" + output);
        }
        return new Sample(millis, memory);
    }

    /** A "Key:   123 kB" line of a /proc file ({@code ip netns exec} and the launcher exec into java, so the PID is the JVM's). */
    private static long kibibytes(Path procFile, String key) throws IOException {
        for (String line : Files.readAllLines(procFile)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException(procFile + " has no " + key);
    }
}
