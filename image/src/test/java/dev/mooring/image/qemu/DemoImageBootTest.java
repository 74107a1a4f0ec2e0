package dev.mooring.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.image.build.ImageBuild;
import dev.mooring.image.build.OemContent;
import dev.mooring.image.build.OemInjector;
import dev.mooring.image.build.SeedImage;
import dev.mooring.image.build.Tools;
import dev.mooring.image.disk.GptLayout;
import dev.mooring.image.disk.GptReader;
import dev.mooring.image.testing.DemoImage;
import dev.mooring.image.testing.OvmfMachine;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Builds the demo image (examples/edge: raw, ISO, qcow2) once, then boots the raw disk and the ISO
 * under QEMU with OVMF (TCG) and waits for the runtime's {@code mooring --version} line on the
 * serial console; checks inject and seed on the built image. Needs root and the runtime tar.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoImageBootTest {

    /** What mooring-version.service prints: "mooring 0.1.0-SNAPSHOT". */
    static final Pattern VERSION_LINE = Pattern.compile("mooring \\d+\\.\\d+\\.\\d+\\S*");
    /** TCG on a shared 2-core machine; a healthy boot takes 20–60 s. */
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);

    Path work;
    ImageBuild.Result demo;

    @BeforeAll
    void buildTheDemoImage() throws Exception {
        Optional<String> why = DemoImage.unavailable().or(OvmfMachine::unavailable);
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
        work = Files.createTempDirectory("mooring-image-test-");
        demo = DemoImage.build(DemoImage.spec(work.resolve("spec"), s -> s), work.resolve("out"));
    }

    @AfterAll
    void removeOutputs() throws IOException {
        if (work != null) {
            try (var all = Files.walk(work)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void buildWritesEveryOutputAndAReport() throws Exception {
        assertThat(demo.files().keySet()).containsExactlyInAnyOrder("raw", "qcow2", "iso", "vmlinuz", "initrd");
        for (Path p : demo.files().values()) {
            assertThat(p).exists().hasParent(work.resolve("out"));
        }
        assertThat(demo.report()).exists();
        String report = Files.readString(demo.report());
        assertThat(report).contains("\"etcd-server\"", "\"linux-image-amd64\"", "\"sha256\"", "root=PARTUUID=");
        try (var files = Files.list(work.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no work or temporary files left")
                    .allMatch(n -> n.startsWith("edge.") && !n.contains("work"));
        }
        assertThat(run("qemu-img", "check", demo.files().get("qcow2").toString())).contains("No errors");
    }

    @Test
    void rawImageBootsThroughOvmfAndTheRuntimeAnswers() throws Exception {
        try (OvmfMachine vm = OvmfMachine.boot(demo.files().get("raw"), false, work.resolve("vm-raw"))) {
            var seen = vm.waitForLine(VERSION_LINE, BOOT_TIMEOUT);
            assertThat(seen).as("console:\n" + vm.consoleTail(40)).isPresent();
            System.out.println("raw: '" + seen.get().line() + "' after " + DemoImage.seconds(seen.get().after()));
        }
    }

    @Test
    void isoBootsLiveThroughOvmfAndTheRuntimeAnswers() throws Exception {
        try (OvmfMachine vm = OvmfMachine.boot(demo.files().get("iso"), true, work.resolve("vm-iso"))) {
            var seen = vm.waitForLine(VERSION_LINE, BOOT_TIMEOUT);
            assertThat(seen).as("console:\n" + vm.consoleTail(40)).isPresent();
            System.out.println("iso: '" + seen.get().line() + "' after " + DemoImage.seconds(seen.get().after()));
        }
    }

    @Test
    void injectRewritesOemInACopyAndLeavesTheRestAlone() throws Exception {
        Path userData = work.resolve("site-user-data.yaml");
        Files.writeString(userData, "#cloud-config\nhostname: store-0042-cp1\n");
        Path raw = demo.files().get("raw");
        Path copy = work.resolve("site.raw");
        new OemInjector(Tools.forBuild(315532800L)).inject(raw, copy, new OemContent(userData, Optional.empty(), Optional.empty()));
        GptLayout layout;
        try (FileChannel ch = FileChannel.open(copy)) {
            layout = GptReader.read(ch);
        }
        long oemOffset = layout.partition("oem").offsetBytes();
        assertThat(run("mtype", "-i", copy + "@@" + oemOffset, "::user-data")).contains("hostname: store-0042-cp1");
        assertThat(run("mtype", "-i", raw + "@@" + oemOffset, "::user-data")).as("the original is unchanged").contains("mooring:");
        // Only the oem partition differs.
        long rootOffset = layout.partition("root").offsetBytes();
        assertThat(sha(copy, rootOffset, 64L << 20)).isEqualTo(sha(raw, rootOffset, 64L << 20));
        assertThat(sha(copy, 0, oemOffset)).isEqualTo(sha(raw, 0, oemOffset));

        Path isoCopy = work.resolve("site.iso");
        new OemInjector(Tools.forBuild(315532800L)).inject(demo.files().get("iso"), isoCopy,
                new OemContent(userData, Optional.empty(), Optional.empty()));
        assertThat(run("xorriso", "-indev", isoCopy.toString(), "-osirrox", "on", "-extract", "/oem/user-data", work.resolve("x").toString()))
                .doesNotContain("FAILURE");
        assertThat(Files.readString(work.resolve("x"))).contains("store-0042-cp1");
        assertThat(run("xorriso", "-indev", isoCopy.toString(), "-report_el_torito", "plain")).contains("El Torito boot img");
    }

    @Test
    void seedIsACidataFatImageWithTheNoCloudFiles() throws Exception {
        Path userData = work.resolve("seed-user-data.yaml");
        Files.writeString(userData, "#cloud-config\nhostname: seeded\n");
        Path seed = work.resolve("seed.img");
        new SeedImage(Tools.forBuild(315532800L)).make(new OemContent(userData, Optional.empty(), Optional.empty()), seed);
        assertThat(run("mlabel", "-s", "-i", seed.toString(), "::")).contains("CIDATA");
        assertThat(run("mtype", "-i", seed.toString(), "::user-data")).contains("hostname: seeded");
        assertThat(run("mtype", "-i", seed.toString(), "::meta-data")).startsWith("instance-id: iid-");
    }

    static String sha(Path file, long offset, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            var digest = new java.io.ByteArrayOutputStream();
            var buffer = java.nio.ByteBuffer.allocate(1 << 20);
            java.security.MessageDigest sha;
            try {
                sha = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long pos = offset;
            while (pos < offset + length) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), offset + length - pos));
                int n = ch.read(buffer, pos);
                if (n <= 0) {
                    break;
                }
                sha.update(buffer.array(), 0, n);
                pos += n;
            }
            digest.close();
            return java.util.HexFormat.of().formatHex(sha.digest());
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(Map.of("MTOOLS_SKIP_CHECK", "1"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
