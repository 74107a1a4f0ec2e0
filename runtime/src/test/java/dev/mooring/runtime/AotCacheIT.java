package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache: the one the build trains is valid wherever the tar is extracted, the one
 * {@code bin/mooring-aot-cache} trains in place is too, and a broken one costs time, never output.
 */
class AotCacheIT {

    private static final Map<String, String> AOT_LOG = Map.of("MOORING_JAVA_OPTS", "-Xlog:aot=info:stderr -Xlog:cds=info:stderr");

    @Test
    void theBuildsCacheIsUsedWhereverTheTarIsExtracted(@TempDir Path root) throws IOException {
        InstalledRuntime runtime = InstalledRuntime.extract(root).withAotCache();

        Result r = runtime.mooring(AOT_LOG, "--version");

        assertThat(r.status()).as("%s", r).isZero();
        // Native access is baked into the runtime by jlink, so training and every run agree on it.
        assertThat(r.err()).contains("Opened AOT cache " + runtime.home().resolve("lib/mooring.aot"))
                .doesNotContain("[error", "Mismatched values", "Disabling optimized module handling");
        assertThat(r.out().lines().toList()).hasSize(2);
    }

    @Test
    void overlayRunUsesTheServicesOwnCacheAndEveryOtherCommandTheGeneralOne(@TempDir Path root) throws IOException {
        InstalledRuntime.assumeServiceAotCache();
        InstalledRuntime runtime = InstalledRuntime.extract(root).withAotCache();

        Result service = runtime.mooring(AOT_LOG, "overlay", "run", "--help");
        Result other = runtime.mooring(AOT_LOG, "overlay", "status", "--help");

        assertThat(service.status()).as("%s", service).isZero();
        assertThat(service.err()).contains("Opened AOT cache " + runtime.home().resolve("lib/mooring-overlay.aot"))
                .doesNotContain("[error", "Mismatched values");
        assertThat(other.err()).as("%s", other).contains("Opened AOT cache " + runtime.home().resolve("lib/mooring.aot"));
    }

    @Test
    void theTrainingScriptWritesACacheInPlaceThatTheLauncherUses(@TempDir Path root) throws IOException {
        InstalledRuntime runtime = InstalledRuntime.extract(root);

        Result training = InstalledRuntime.run(runtime.home().resolve("bin/mooring-aot-cache"), Map.of());

        assertThat(training.status()).as("%s", training).isZero();
        assertThat(training.err()).contains("mooring-aot-cache: trained on 'mooring userdata validate").doesNotContain("warning: '");
        try (Stream<Path> lib = Files.list(runtime.home().resolve("lib"))) {
            List<String> names = lib.map(p -> p.getFileName().toString()).toList();
            assertThat(names).contains("mooring.aot").noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".config"));
            if (isRoot()) {
                // As root the script also trains the service's own cache, in a private namespace.
                assertThat(names).contains("mooring-overlay.aot");
                assertThat(training.err()).contains("mooring-aot-cache: trained on 'mooring overlay run'");
            }
        }
        Result r = runtime.mooring(AOT_LOG, "--version");
        assertThat(r.err()).as("%s", r).contains("Opened AOT cache").doesNotContain("[error");
    }

    private static boolean isRoot() throws IOException {
        return InstalledRuntime.run(Path.of("/usr/bin/id"), Map.of(), "-u").out().strip().equals("0");
    }

    @Test
    void aBrokenCacheIsReportedOnStderrAndTheCommandStillWorks(@TempDir Path root) throws IOException {
        InstalledRuntime runtime = InstalledRuntime.extract(root);
        Files.write(runtime.home().resolve("lib/mooring.aot"), new byte[4096]);

        Result r = runtime.mooring("--version");

        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.out().lines().toList()).hasSize(2).first().asString().startsWith("mooring ");
        assertThat(r.err()).contains("[error  ][aot]", "AOT cache");
    }
}
