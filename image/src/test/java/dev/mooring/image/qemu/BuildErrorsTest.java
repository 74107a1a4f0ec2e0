package dev.mooring.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.testing.DemoImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input a user can give, against real builds: a missing package, a disk too small, an output
 * folder without space. Each gives a clear error and leaves nothing under a final output name.
 */
@Tag("qemu")
class BuildErrorsTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndRuntime() {
        Optional<String> why = DemoImage.unavailable();
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    }

    static String rawOnly(String spec) {
        return spec.replace("outputs: [raw, iso, qcow2]", "outputs: [raw]");
    }

    @Test
    void aMissingPackageIsNamed() throws Exception {
        Path spec = DemoImage.spec(dir.resolve("spec"), s -> rawOnly(s).replace("    - iputils-ping\n", "    - iputils-ping\n    - mooring-no-such-package\n"));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> DemoImage.build(spec, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("package mooring-no-such-package is not in Debian bookworm")
                .satisfies(e -> assertThat(((BuildException) e).hint()).contains("apt-cache search mooring-no-such-package"));
        assertThat(finalOutputs(out)).isEmpty();
    }

    @Test
    void aTooSmallDiskSaysTheMinimum() throws Exception {
        Path spec = DemoImage.spec(dir.resolve("spec"), s -> rawOnly(s).replace("disk-size: 2GiB", "disk-size: 300MiB"));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> DemoImage.build(spec, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("disk-size 300.0 MiB").hasMessageContaining("is too small: the content needs at least")
                .satisfies(e -> assertThat(((BuildException) e).hint()).matches("write disk-size: \\d+MiB or more, or remove disk-size"));
        assertThat(finalOutputs(out)).isEmpty();
    }

    @Test
    void noSpaceInTheOutputFolderIsSaidClearly() throws Exception {
        Path spec = DemoImage.spec(dir.resolve("spec"), BuildErrorsTest::rawOnly);
        Path out = dir.resolve("small");
        Files.createDirectories(out);
        // A 700 MiB tmpfs: room for the unpacked tree, not for the images after it.
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=700m", "mooring-image-test", out.toString())).isZero();
        try {
            assertThatThrownBy(() -> DemoImage.build(spec, out)).isInstanceOf(BuildException.class)
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("not enough space in " + out, "no space left"));
            assertThat(finalOutputs(out)).isEmpty();
            try (Stream<Path> left = Files.list(out)) {
                assertThat(left).as("the work folder is removed").isEmpty();
            }
        } finally {
            run("umount", out.toString());
        }
    }

    static List<Path> finalOutputs(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().startsWith("edge.")).toList();
        }
    }

    static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
