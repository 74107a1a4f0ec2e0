package dev.mooring.lab.bench;

import dev.mooring.lab.QemuAvailable;
import dev.mooring.lab.drill.DrillReport;
import dev.mooring.lab.drill.LabImage;
import dev.mooring.lab.drill.LabDrill;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Figures of the network-restart drill on the real image, under TCG: boot to overlay-ready per
 * machine, links up → all-pairs overlay ping, links up → etcd healthy, and the drill's total time.
 * {@code bench/run DrillBench} (as root, with out/edge.qcow2 or -Dmooring.lab.image). One drill per
 * run by default ({@code -Dmooring.lab.bench.runs=N}): each costs minutes of CPU.
 */
public final class DrillBench {
    private DrillBench() {}

    public static void main(String[] args) throws Exception {
        Optional<String> missing = QemuAvailable.missingPrerequisite();
        if (missing.isPresent()) {
            System.err.println("DrillBench: no figures: " + missing.get());
            return;
        }
        Path image = Path.of(System.getProperty("mooring.lab.image", Path.of(System.getProperty("mooring.checkout", "."), "out", "edge.qcow2").toString()));
        if (!Files.isRegularFile(image)) {
            System.err.println("DrillBench: no figures: no image at " + image + "; build it with mooring image build examples/edge/image.yaml -o out/");
            return;
        }
        int runs = Integer.getInteger("mooring.lab.bench.runs", 1);
        Map<String, List<Long>> samples = new java.util.TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            DrillReport report = LabDrill.run(LabDrill.Settings.defaults(LabImage.of(image, false)), System.err::println);
            System.err.println(report.toText());
            if (!report.passed()) {
                failures.add("run " + (i + 1) + " failed");
            }
            for (Map.Entry<String, Duration> f : report.figures().entrySet()) {
                String name = f.getKey().startsWith("boot-to-overlay-ready") ? "lab-boot-to-overlay-ready" : "lab-" + f.getKey().replaceAll("[^a-z0-9-]+", "-").replaceAll("-+$", "");
                samples.computeIfAbsent(name, k -> new ArrayList<>()).add(f.getValue().toMillis());
            }
        }
        for (Map.Entry<String, List<Long>> s : samples.entrySet()) {
            System.out.println("{\"figure\":\"" + s.getKey() + "\",\"unit\":\"ms\",\"samples\":" + s.getValue()
                    + ",\"notes\":\"3 machines, QEMU TCG -smp 1, direct kernel boot, shared 2-core host; polled through the command channel (granularity ~1 s)"
                    + (failures.isEmpty() ? "" : "; " + String.join(", ", failures)) + "\"}");
        }
    }
}
