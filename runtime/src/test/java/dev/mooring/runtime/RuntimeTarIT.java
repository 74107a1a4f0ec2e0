package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.TarEntries;
import dev.mooring.runtime.testing.TarEntries.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runtime tar holds and how: the layout of /opt/mooring, and headers that depend on nothing but the content. */
class RuntimeTarIT {

    private static List<Entry> entries;

    @BeforeAll
    static void read() throws IOException {
        entries = TarEntries.read(InstalledRuntime.tar());
    }

    @Test
    void holdsTheDeviceLayout() {
        assertThat(entries).extracting(Entry::name).contains(
                "bin/mooring", "bin/mooring-aot-cache",
                "lib/mooring-runtime.jar", "lib/picocli-4.7.7.jar",
                "lib/systemd/system/mooring-firstboot.service", "lib/systemd/system/mooring-firstboot-network.service",
                "lib/systemd/system/mooring-overlay.service",
                "lib/systemd/system/mooring-k8s-prepare.service", "lib/systemd/system/mooring-aot-cache.service",
                "runtime/bin/java", "runtime/lib/modules", "runtime/release",
                "share/doc/mooring/runtime.md");
    }

    @Test
    void leavesOutTheAotCacheAndTheDefaultCdsArchives() {
        // The cache is not reproducible (it ships beside the tar); it also makes jlink's CDS archives redundant.
        assertThat(entries).extracting(Entry::name)
                .doesNotContain("lib/mooring.aot", "runtime/lib/server/classes.jsa", "runtime/lib/server/classes_nocoops.jsa");
    }

    @Test
    void everyEntryHasTheBuildTimestampAndNumericRootOwnership() {
        long timestamp = Instant.parse(System.getProperty("mooring.runtime.timestamp")).getEpochSecond();
        assertThat(entries).isNotEmpty().allSatisfy(e -> {
            assertThat(e.mtime()).as(e.name()).isEqualTo(timestamp);
            assertThat(e.uid()).as(e.name()).isZero();
            assertThat(e.gid()).as(e.name()).isZero();
            assertThat(e.owner() + e.group()).as(e.name() + " owner names").isEmpty();
        });
    }

    @Test
    void modesAreNormalised() {
        // 0755 or 0644 whatever the umask of the build machine; executables and folders keep x.
        assertThat(entries).filteredOn(e -> e.type() != '2').allSatisfy(e -> {
            boolean executable = e.isDirectory() || e.name().startsWith("bin/") || e.name().startsWith("runtime/bin/");
            boolean data = e.name().endsWith(".jar") || e.name().endsWith(".service") || e.name().endsWith(".md");
            assertThat(Integer.toOctalString(e.mode())).as(e.name()).isIn("755", "644");
            if (executable) {
                assertThat(Integer.toOctalString(e.mode())).as(e.name()).isEqualTo("755");
            }
            if (data) {
                assertThat(Integer.toOctalString(e.mode())).as(e.name()).isEqualTo("644");
            }
        });
    }

    @Test
    void entriesAreInSortedDepthFirstOrder() {
        // GNU tar --sort=name: each folder's entries sorted by name, a folder followed by its content.
        Comparator<String> byComponents = (a, b) -> Arrays.compare(a.split("/"), b.split("/"));
        List<String> names = entries.stream().map(Entry::name).toList();
        assertThat(names).isSortedAccordingTo(byComponents);
    }

    @Test
    void theRuntimeHasNoDesktopModule(@TempDir Path root) throws IOException {
        InstalledRuntime runtime = InstalledRuntime.extract(root);
        String release = Files.readString(runtime.home().resolve("runtime/release"));

        assertThat(release).contains("MODULES=\"java.base").doesNotContain("java.desktop");
    }
}
