package dev.mooring.runtime.bench;

import dev.mooring.runtime.testing.InstalledRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up of the device launcher, from process start to exit, for {@code mooring --version} and
 * for {@code mooring userdata validate} on a 3 KB user-data: on the jlinked runtime with the AOT
 * cache, and without it, each against the same command on the stock JDK 25 ({@code java -cp},
 * no cache) measured in the same run. The variants alternate within every round, so a busy
 * machine slows them alike. Also the sizes on disk. Prints one JSON line per figure.
 *
 * <p>Run after {@code make build runtime-tar} (no root needed), from the checkout:
 * {@code java -cp <runtime test class path> dev.mooring.runtime.bench.StartupBench [--n=20] [--tar=..] [--aot=..]}
 */
public final class StartupBench {

    private static final int WARM_UP_ROUNDS = 2;

    private StartupBench() {}

    public static void main(String[] args) throws IOException {
        Path scratch = Files.createTempDirectory("mooring-startup-bench");
        try {
            BenchRuntime runtime = BenchRuntime.prepare(args, scratch);
            int n = BenchRuntime.samples(args, 20);
            Path userData = scratch.resolve("user-data.yaml");
            try (InputStream in = StartupBench.class.getResourceAsStream("/dev/mooring/runtime/aot/user-data.yaml")) {
                Files.copy(in, userData);
            }
            measure(runtime, n, "version", 0, "--version");
            measure(runtime, n, "userdata-validate", 0, "userdata", "validate", userData.toString());
            sizes(runtime);
        } finally {
            deleteTree(scratch);
        }
    }

    private static void measure(BenchRuntime runtime, int n, String name, int expected, String... args) throws IOException {
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("aot", command(runtime.withCache(), args));
        variants.put("no-aot", command(runtime.withoutCache(), args));
        variants.put("stock", runtime.stockJdk(args));
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        for (int round = -WARM_UP_ROUNDS; round < n; round++) {
            for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                double millis = BenchRuntime.timeMillis(variant.getValue(), expected);
                if (round >= 0) {
                    samples.get(variant.getKey()).add(millis);
                }
            }
        }
        String baseline = "stock JDK " + Runtime.version().feature() + " java -cp, no AOT cache";
        System.out.println(BenchRuntime.json("runtime-startup-" + name, "ms", samples.get("aot"), baseline, samples.get("stock")));
        System.out.println(BenchRuntime.json("runtime-startup-" + name + "-no-aot-cache", "ms", samples.get("no-aot"), baseline,
                samples.get("stock")));
    }

    private static List<String> command(InstalledRuntime runtime, String... args) {
        List<String> command = new ArrayList<>(List.of(runtime.launcher().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static void sizes(BenchRuntime runtime) throws IOException {
        double mb = 1024.0 * 1024.0;
        System.out.println(BenchRuntime.json("runtime-jlinked-size", "MiB",
                List.of(BenchRuntime.sizeOnDisk(runtime.withoutCache().home().resolve("runtime")) / mb), null, null));
        System.out.println(BenchRuntime.json("runtime-tar-size", "MiB", List.of(Files.size(runtime.tar()) / mb), null, null));
        System.out.println(BenchRuntime.json("runtime-aot-cache-size", "MiB", List.of(Files.size(runtime.aot()) / mb), null, null));
        Path service = runtime.withCache().home().resolve("lib/mooring-overlay.aot");
        if (Files.isRegularFile(service)) {
            System.out.println(BenchRuntime.json("runtime-overlay-aot-cache-size", "MiB", List.of(Files.size(service) / mb), null, null));
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (var tree = Files.walk(root)) {
            for (Path p : tree.sorted().toList().reversed()) {
                Files.delete(p);
            }
        }
    }
}
