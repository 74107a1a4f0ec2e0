package dev.mooring.runtime.bench;

import dev.mooring.runtime.ProjectVersion;
import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The runtime a benchmark measures, extracted twice from the build's tar: once with the build's
 * AOT cache installed, once without. Also the baseline: the same jars on the stock JDK 25 that
 * runs the benchmark ({@code java -cp}, default flags, no AOT cache).
 */
record BenchRuntime(InstalledRuntime withCache, InstalledRuntime withoutCache, Path tar, Path aot) {

    /**
     * Reads {@code --tar=} and {@code --aot=}; by default the files the runtime module's package
     * phase writes ({@code runtime/target/mooring-runtime-<version>.tar|.aot} under the checkout
     * or the current folder).
     */
    static BenchRuntime prepare(String[] args, Path scratch) throws IOException {
        String version = ProjectVersion.version();
        Path tar = argument(args, "tar").map(Path::of).orElseGet(() -> built("mooring-runtime-" + version + ".tar"));
        Path aot = argument(args, "aot").map(Path::of).orElseGet(() -> built("mooring-runtime-" + version + ".aot"));
        System.setProperty("mooring.runtime.tar", tar.toString());
        System.setProperty("mooring.runtime.aot", aot.toString());
        return new BenchRuntime(InstalledRuntime.extract(scratch.resolve("with-cache")).withAotCache(),
                InstalledRuntime.extract(scratch.resolve("without-cache")), tar, aot);
    }

    static int samples(String[] args, int fallback) {
        return argument(args, "n").map(Integer::parseInt).orElse(fallback);
    }

    /** The baseline's command line: the stock JDK, the tar's jars in the launcher's order. */
    List<String> stockJdk(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath(withoutCache), "dev.mooring.runtime.Mooring"));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /**
     * The launcher's class path (its first {@code classpath="..."}: every jar, as every command but
     * the service with its own cache runs), read from the launcher so the baseline loads the same jars.
     */
    private static String classPath(InstalledRuntime runtime) throws IOException {
        Matcher m = Pattern.compile("classpath=\"([^\"]+)\"").matcher(Files.readString(runtime.launcher()));
        if (!m.find()) {
            throw new IOException(runtime.launcher() + " has no classpath=\"...\"; the launcher template changed");
        }
        return m.group(1).replace("$home", runtime.home().toString());
    }

    /** Wall time of one run of {@code command} in milliseconds; fails unless it exits with {@code expected}. */
    static double timeMillis(List<String> command, int expected) throws IOException {
        long start = System.nanoTime();
        Processes.Result r = Processes.run(command, Map.of(), Duration.ofSeconds(60));
        double millis = (System.nanoTime() - start) / 1e6;
        if (r.status() != expected) {
            throw new IOException(String.join(" ", command) + " exited " + r.status() + ", expected " + expected + ": " + r);
        }
        return millis;
    }

    static long sizeOnDisk(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    static String json(String figure, String unit, List<Double> samples, String baselineName, List<Double> baseline) {
        String line = "{\"figure\":\"" + figure + "\",\"unit\":\"" + unit + "\",\"samples\":" + array(samples);
        if (baselineName != null) {
            line += ",\"baseline\":{\"name\":\"" + baselineName + "\",\"samples\":" + array(baseline) + "}";
        }
        return line + "}";
    }

    private static String array(List<Double> values) {
        return values.stream().map(v -> String.valueOf(Math.round(v * 100) / 100.0)).collect(Collectors.joining(",", "[", "]"));
    }

    private static java.util.Optional<String> argument(String[] args, String key) {
        return Arrays.stream(args).filter(a -> a.startsWith("--" + key + "=")).map(a -> a.substring(key.length() + 3)).findFirst();
    }

    private static Path built(String name) {
        for (Path candidate : List.of(Path.of("runtime/target", name), Path.of("target", name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException(name + " not found under runtime/target or target: build it (make build runtime-tar) or pass --tar= and --aot=");
    }
}
