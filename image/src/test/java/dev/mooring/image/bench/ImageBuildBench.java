package dev.mooring.image.bench;

import dev.mooring.image.build.ImageBuild;
import dev.mooring.image.build.Progress;
import dev.mooring.image.testing.DemoImage;
import dev.mooring.image.testing.OvmfMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The demo image (examples/edge): cold build (empty root filesystem cache, mmdebstrap from the
 * mirror) and warm builds (cached rootfs), the sizes of the outputs (raw allocated, qcow2, ISO,
 * raw after zstd -3), and the TCG boot time under OVMF from QEMU start to the runtime's
 * {@code mooring --version} line, for the raw disk and the live ISO. Prints JSON lines.
 *
 * <p>Needs root and the runtime tar (make runtime-tar). Arguments: {@code --warm=N} (default 2),
 * {@code --boots=N} (default 2), {@code --no-cold} (skip the cold build, which downloads ~150 MB).
 */
public final class ImageBuildBench {

    private ImageBuildBench() {
    }

    public static void main(String[] args) throws Exception {
        Optional<String> why = DemoImage.unavailable().or(OvmfMachine::unavailable);
        if (why.isPresent()) {
            System.err.println("ImageBuildBench skipped: " + why.get());
            return;
        }
        int warm = intArg(args, "warm", 2);
        int boots = intArg(args, "boots", 2);
        boolean cold = List.of(args).stream().noneMatch("--no-cold"::equals);
        Path scratch = Files.createTempDirectory("mooring-image-bench-");
        try {
            Path spec = DemoImage.spec(scratch.resolve("spec"), s -> s);
            String notes = "demo image examples/edge (raw+iso+qcow2), 2 cores shared, TCG";
            if (cold) {
                Path emptyCache = scratch.resolve("cold-cache");
                long t = System.nanoTime();
                new ImageBuild(DemoImage.parse(spec), scratch.resolve("cold"), emptyCache, DemoImage.runtime(), Progress.silent()).run();
                print("image-build-cold", "s", List.of(seconds(System.nanoTime() - t)), notes + "; mmdebstrap from deb.debian.org");
                deleteTree(scratch.resolve("cold"));
                deleteTree(emptyCache);
            }
            // One build to warm the shared cache when it is empty, not measured.
            ImageBuild.Result last = DemoImage.build(spec, scratch.resolve("warmup"));
            List<Double> warmSamples = new ArrayList<>();
            for (int i = 0; i < warm; i++) {
                long t = System.nanoTime();
                last = DemoImage.build(spec, scratch.resolve("warm" + i));
                warmSamples.add(seconds(System.nanoTime() - t));
            }
            print("image-build-warm", "s", warmSamples, notes + "; root filesystem from the cache; aim < 60 s");
            double mib = 1 << 20;
            print("image-size-raw-allocated", "MiB", List.of(allocated(last.files().get("raw")) / mib), "sparse 2 GiB disk");
            print("image-size-qcow2", "MiB", List.of(Files.size(last.files().get("qcow2")) / mib), "qemu-img convert, uncompressed");
            print("image-size-iso", "MiB", List.of(Files.size(last.files().get("iso")) / mib), "live ISO, squashfs zstd; aim < 300 MiB");
            print("image-size-raw-zstd", "MiB", List.of(zstdSize(last.files().get("raw")) / mib), "zstd -3 of the raw image");
            for (String kind : List.of("raw", "iso")) {
                List<Double> samples = new ArrayList<>();
                for (int i = 0; i < boots; i++) {
                    try (OvmfMachine vm = OvmfMachine.boot(last.files().get(kind), kind.equals("iso"), scratch.resolve("vm-" + kind + i))) {
                        var seen = vm.waitForLine(java.util.regex.Pattern.compile("mooring \\d+\\.\\d+\\.\\d+\\S*"), Duration.ofMinutes(6));
                        if (seen.isEmpty()) {
                            throw new IllegalStateException(kind + " boot never printed the version line:\n" + vm.consoleTail(30));
                        }
                        samples.add(seen.get().after().toMillis() / 1000.0);
                    }
                }
                print("image-boot-tcg-" + kind, "s", samples, "OVMF, q35, qemu64, smp 2, 1 GiB; QEMU start to the mooring --version console line");
            }
        } finally {
            deleteTree(scratch);
        }
    }

    static long zstdSize(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("zstd", "-3", "-T2", "-c", file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long n = 0;
        try (InputStream in = p.getInputStream()) {
            n = in.transferTo(OutputStream.nullOutputStream());
        }
        p.waitFor();
        return n;
    }

    static long allocated(Path file) throws IOException {
        return ImageBuild.allocated(file);
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static void print(String figure, String unit, List<Double> samples, String notes) {
        String values = samples.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(",", "[", "]"));
        System.out.println("{\"figure\":\"" + figure + "\",\"unit\":\"" + unit + "\",\"samples\":" + values
                + ",\"notes\":\"" + notes.replace("\"", "'") + "\"}");
        System.out.flush();
    }

    static int intArg(String[] args, String name, int fallback) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 3));
            }
        }
        return fallback;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
