package dev.mooring.overlay.bench;

import dev.mooring.overlay.cli.OverlayCommand;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code overlay-service-rss-idle-250-peers}: the resident set (VmRSS) of {@code mooring overlay
 * run} with 250 static peers after a minute idle, in MB, in a lab namespace (needs root). The
 * process runs with the launcher's JVM flags ({@link #JVM_FLAGS}). Run: {@code bench/run ServiceRssBench}.
 */
public final class ServiceRssBench {

    /**
     * {@code -Xms8m} in these flags matters: without it the initial heap is min(Xmx, RAM/64), all
     * of it touched, about 15 MB more.
     */
    static final List<String> JVM_FLAGS = dev.mooring.overlay.testing.OverlayHosts.JVM_FLAGS;
    private static final Duration IDLE = Duration.ofMinutes(1);

    public static void main(String[] args) throws Exception {
        if (!BenchPeers.runningAsRoot("ServiceRssBench")) {
            return;
        }
        Path dir = Files.createTempDirectory("mr-bench-rss");
        try (NetnsLab lab = NetnsLab.create(1)) {
            Path status = dir.resolve("overlay.json");
            Path config = Files.writeString(dir.resolve("overlay.yaml"), """
                    host: {name: bench}
                    overlay: {address: %s}
                    status: %s
                    state: %s
                    peers:
                    %s
                    """.formatted(BenchPeers.ADDRESS, status, dir.resolve("state"), BenchPeers.peers(250).stream()
                    .map(ServiceRssBench::yaml).collect(Collectors.joining("\n"))));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(JVM_FLAGS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), OverlayCommand.class.getName(),
                    "run", "--config", config.toString()));
            NetnsLab.Background service = lab.start(lab.host(1).namespace(), command);
            Eventually.within(Duration.ofSeconds(60), "the service is ready; log:\n" + service.output(),
                    () -> OverlayStatus.read(status).state().equals("ready"));
            Thread.sleep(IDLE);
            double rssMb = vmRssKb(service.pid()) / 1024.0;
            service.stop(Duration.ofSeconds(10));
            System.out.println("{\"figure\":\"overlay-service-rss-idle-250-peers\",\"unit\":\"MB\",\"samples\":"
                    + BenchPeers.json(List.of(rssMb)) + ",\"notes\":\"VmRSS of overlay run after " + IDLE.toSeconds()
                    + " s idle; JVM flags: " + String.join(" ", JVM_FLAGS) + "\"}");
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String yaml(Peer p) {
        return "  - {host: " + p.host() + ", address: " + p.address() + ", underlay: " + p.underlay() + "}";
    }

    private static long vmRssKb(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }
}
