package dev.mooring.runtime.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mooring firstboot run} of a typical user-data (the control-plane sample of the AOT
 * training: users with keys and sudo, groups, write_files in four encodings, bootcmd/runcmd, ntp,
 * timezone, the mooring section), from process start to exit, on the jlinked runtime with and
 * without the AOT cache and on the stock JDK 25 in the same rounds. Each sample applies it to a
 * fresh root made from this Debian host's account files, so it is a first boot every time; the
 * commands are recorded as skipped (the root is not /), as in an image build.
 *
 * <p>Run after {@code make build runtime-tar} (no root needed for a root of one's own):
 * {@code bench/run FirstbootRunBench}.
 */
public final class FirstbootRunBench {

    private static final int WARM_UP_ROUNDS = 1;

    private FirstbootRunBench() {}

    public static void main(String[] args) throws IOException {
        Path scratch = Files.createTempDirectory("mooring-firstboot-bench");
        try {
            BenchRuntime runtime = BenchRuntime.prepare(args, scratch);
            int n = BenchRuntime.samples(args, 10);
            Path seed = Files.createDirectories(scratch.resolve("seed"));
            try (InputStream in = FirstbootRunBench.class.getResourceAsStream("/dev/mooring/runtime/aot/user-data.yaml")) {
                Files.copy(in, seed.resolve("user-data"));
            }
            Files.writeString(seed.resolve("meta-data"), "instance-id: iid-bench-1\n");
            Map<String, List<String>> variants = new LinkedHashMap<>();
            variants.put("aot", List.of(runtime.withCache().launcher().toString()));
            variants.put("no-aot", List.of(runtime.withoutCache().launcher().toString()));
            variants.put("stock", runtime.stockJdk());
            Map<String, List<Double>> samples = new LinkedHashMap<>();
            variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
            for (int round = -WARM_UP_ROUNDS; round < n; round++) {
                for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                    Path root = freshRoot(scratch.resolve("root-" + variant.getKey() + "-" + (round + WARM_UP_ROUNDS)));
                    List<String> command = new ArrayList<>(variant.getValue());
                    command.addAll(List.of("firstboot", "run", "--root", root.toString(), "--seed", seed.toString(),
                            "--media-wait", "0s", "--network-wait", "0s"));
                    double millis = BenchRuntime.timeMillis(command, 0);
                    if (round >= 0) {
                        samples.get(variant.getKey()).add(millis);
                    }
                    StartupBench.deleteTree(root);
                }
            }
            String baseline = "stock JDK " + Runtime.version().feature() + " java -cp, no AOT cache";
            System.out.println(BenchRuntime.json("runtime-firstboot-run", "ms", samples.get("aot"), baseline, samples.get("stock")));
            System.out.println(BenchRuntime.json("runtime-firstboot-run-no-aot-cache", "ms", samples.get("no-aot"), baseline,
                    samples.get("stock")));
        } finally {
            StartupBench.deleteTree(scratch);
        }
    }

    /** A root holding what first boot reads: the account files, login.defs, /etc/skel and the sample's time zone. */
    private static Path freshRoot(Path root) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        for (String file : List.of("passwd", "group", "shadow", "gshadow", "login.defs")) {
            Files.copy(Path.of("/etc", file), etc.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(etc.resolve("skel"));
        try (var skel = Files.list(Path.of("/etc/skel"))) {
            for (Path p : skel.filter(Files::isRegularFile).toList()) {
                Files.copy(p, etc.resolve("skel").resolve(p.getFileName()));
            }
        }
        Path zone = Path.of("/usr/share/zoneinfo/Europe/Berlin");
        if (Files.exists(zone)) {
            Path target = root.resolve("usr/share/zoneinfo/Europe/Berlin");
            Files.createDirectories(target.getParent());
            Files.copy(zone, target);
        }
        Files.writeString(etc.resolve("machine-id"), "0123456789abcdef0123456789abcdef\n");
        return root;
    }
}
