package dev.mooring.firstboot.bench;

import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.run.FirstbootStatus;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import dev.mooring.firstboot.testing.TestHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Time of one {@code firstboot run} for the typical user-data (examples/control-plane.yaml with the
 * example network-config): datasource, validation, plan, apply to a fresh Debian root directory
 * (accounts, homes from /etc/skel, keys, sudo, write_files, hostname, timezone, ntp, networkd,
 * /etc/mooring/*.yaml), registration with an in-process hub on 127.0.0.1, status file; commands
 * are skipped (--root). Also a re-run of the same instance (everything done earlier). The first
 * sample of a fresh JVM (class loading, JIT cold: what a device pays once) is its own figure.
 * In-process: the lead times the jlinked runtime separately. Needs root (chown to the new users).
 * Usage: bench/run FirstbootRun   (args: [samples])
 */
public final class FirstbootRunBench {

    public static void main(String[] args) throws Exception {
        if (!DebianRoot.isRoot()) {
            System.err.println("FirstbootRunBench: needs root (first boot chowns files to the users it creates); nothing measured");
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path temp = Files.createTempDirectory("mooring-firstboot-bench");
        try (TestHub hub = new TestHub(0)) {
            Path seed = Runs.seed(temp.resolve("seed"), Runs.controlPlane(hub.url().toString()), "iid-bench",
                    Optional.of(Runs.example("network-config")));
            List<Double> cold = List.of(once(temp, seed, 0, false));
            List<Double> first = new ArrayList<>();
            List<Double> again = new ArrayList<>();
            for (int i = 1; i <= n + 3; i++) {
                double t = once(temp, seed, i, false);
                double r = once(temp, seed, i, true);
                if (i > 3) {
                    first.add(t);
                    again.add(r);
                }
            }
            System.out.println(json("firstboot-run-typical", first, "control-plane example applied to a fresh Debian root dir,"
                    + " registration against a local hub, in-process after 3 warm-up runs; median " + median(first) + " ms"));
            System.out.println(json("firstboot-run-typical-cold", cold, "the same, first run in a fresh JVM (class loading, cold JIT)"));
            System.out.println(json("firstboot-rerun-same-instance", again, "second run of the same instance: every step done earlier,"
                    + " registration done; median " + median(again) + " ms"));
        } finally {
            try (Stream<Path> walk = Files.walk(temp)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Builds a fresh root (not timed) and times one run; {@code rerun} times a second run on the same root instead. */
    private static double once(Path temp, Path seed, int i, boolean rerun) throws IOException {
        Path root = temp.resolve("root-" + i);
        if (!rerun) {
            DebianRoot.create(Files.createDirectories(root));
        }
        long start = System.nanoTime();
        FirstbootStatus status = Runs.run(root, new DirectoryRoot(root), seed, Optional.empty(), "boot-1");
        double ms = (System.nanoTime() - start) / 1e6;
        if (status.state() != FirstbootStatus.State.OK) {
            throw new IllegalStateException("the benchmark run must succeed: " + status.errors());
        }
        return Math.round(ms * 100) / 100.0;
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String json(String figure, List<Double> samples, String notes) {
        return "{\"figure\":\"" + figure + "\",\"unit\":\"ms\",\"samples\":["
                + samples.stream().map(String::valueOf).collect(Collectors.joining(",")) + "],\"notes\":\"" + notes.replace("\"", "'") + "\"}";
    }
}
