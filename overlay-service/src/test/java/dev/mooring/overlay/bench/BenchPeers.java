package dev.mooring.overlay.bench;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.reconcile.Peer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** The benchmarks' cluster: this host 100.64.192.10 on eth0 of a lab namespace, and N static peers. */
final class BenchPeers {

    static final Ipv4Address ADDRESS = Ipv4Address.parse("100.64.192.10");

    private BenchPeers() {}

    /** Peer i: overlay 100.64.192.11+i; underlay 198.51.100.20+i, then 203.0.113.20+ past 200 peers. */
    static List<Peer> peers(int count) {
        return IntStream.range(0, count).mapToObj(i -> new Peer("p" + i, ADDRESS.plus(1 + i),
                i < 200 ? Ipv4Address.parse("198.51.100.20").plus(i) : Ipv4Address.parse("203.0.113.20").plus(i - 200))).toList();
    }

    /** Benchmarks that need root print why they do not run, and no figure. */
    static boolean runningAsRoot(String benchmark) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") && line.substring(4).trim().split("\\s+")[1].equals("0")) {
                return true;
            }
        }
        System.err.println(benchmark + ": skipped, it needs root (network namespaces)");
        return false;
    }

    static String json(List<Double> samples) {
        return samples.stream().map(s -> String.format(java.util.Locale.ROOT, "%.3f", s))
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
