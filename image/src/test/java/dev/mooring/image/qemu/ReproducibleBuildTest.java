package dev.mooring.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.image.build.ImageBuild;
import dev.mooring.image.build.Sha256;
import dev.mooring.image.testing.DemoImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builds of the demo raw image from the same inputs (into different folders, at different
 * times) give the same bytes; a changed input (SOURCE_DATE_EPOCH, or the user-data) changes them.
 * Needs root and the runtime tar; the root filesystem comes from the shared cache.
 */
@Tag("qemu")
class ReproducibleBuildTest {

    @TempDir
    Path dir;

    static String rawOnly(String spec) {
        return spec.replace("outputs: [raw, iso, qcow2]", "outputs: [raw]");
    }

    @Test
    void sameInputsSameBytesChangedInputOtherBytes() throws Exception {
        Optional<String> why = DemoImage.unavailable();
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
        Path spec = DemoImage.spec(dir.resolve("spec"), ReproducibleBuildTest::rawOnly);
        ImageBuild.Result first = DemoImage.build(spec, dir.resolve("a"));
        ImageBuild.Result second = DemoImage.build(spec, dir.resolve("b"));
        String a = Sha256.of(first.files().get("raw"));
        assertThat(Sha256.of(second.files().get("raw"))).as("same inputs, same raw image").isEqualTo(a);
        assertThat(Sha256.of(second.files().get("initrd"))).isEqualTo(Sha256.of(first.files().get("initrd")));

        Path changedEpoch = DemoImage.spec(dir.resolve("spec-epoch"),
                s -> rawOnly(s).replace("source-date-epoch: 1767225600", "source-date-epoch: 1767225601"));
        ImageBuild.Result third = DemoImage.build(changedEpoch, dir.resolve("c"));
        assertThat(Sha256.of(third.files().get("raw"))).as("another SOURCE_DATE_EPOCH").isNotEqualTo(a);

        Path changedUserData = DemoImage.spec(dir.resolve("spec-ud"), ReproducibleBuildTest::rawOnly);
        Files.writeString(changedUserData.resolveSibling("user-data.yaml"), "#cloud-config\ntimezone: Europe/Berlin\n");
        ImageBuild.Result fourth = DemoImage.build(changedUserData, dir.resolve("d"));
        assertThat(Sha256.of(fourth.files().get("raw"))).as("other user-data").isNotEqualTo(a);
    }
}
