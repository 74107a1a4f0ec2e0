package dev.mooring.firstboot.userdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import dev.mooring.firstboot.diagnostic.Diagnostic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * cloud-init's own examples (doc/examples and every module's example*.yaml): each cloud-config is
 * valid with warnings only for modules Mooring does not apply, and no file of any kind makes the
 * validator throw. The corpus lives beside the checkout ({@code mooring.shared}); without it the
 * test says so and skips.
 */
class CloudInitCorpusTest {

    /**
     * Warnings a corpus cloud-config may get besides "not applied by Mooring": cloud-init's
     * write_files example truncates its base64 with "..." (cloud-init skips those characters too).
     */
    private static final List<String> TOLERATED_WARNINGS = List.of("not applied by Mooring", "that are not base64");

    /**
     * cloud-config examples that repeat a top-level key to show alternatives in one file. PyYAML keeps
     * the last value silently; Mooring refuses duplicate keys, so these fail with that error only.
     */
    private static final Set<String> DUPLICATE_KEY_EXAMPLES = Set.of("cloud-config-add-apt-repos.txt", "cloud-config-disk-setup.txt");

    @Test
    void everyCloudConfigInTheCorpusIsValidAndNothingThrows() throws IOException {
        String shared = System.getProperty("mooring.shared");
        Path corpus = shared == null ? null : Path.of(shared, "corpus", "cloud-init", "doc");
        if (corpus == null || !Files.isDirectory(corpus)) {
            String reason = "skipping the cloud-init corpus test: " + (shared == null ? "system property mooring.shared is not set"
                    : corpus + " does not exist (the corpus sits beside the checkout, in ../shared)");
            System.err.println(reason);
            assumeTrue(false, reason);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> examples = Files.walk(corpus.resolve("examples"))) {
            examples.filter(Files::isRegularFile).forEach(files::add);
        }
        try (Stream<Path> modules = Files.walk(corpus.resolve("module-docs"), 2)) {
            modules.filter(p -> p.getFileName().toString().matches("example.*\\.yaml")).forEach(files::add);
        }
        files.sort(null);
        assertThat(files).hasSizeGreaterThan(100);

        UserDataValidator validator = new UserDataValidator(CloudInitKeys.bundled(), Timezones.system());
        int valid = 0;
        int warnings = 0;
        int cleanErrors = 0;
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            Validation result = validator.validate(file);
            warnings += result.warnings().size();
            if (result.isValid()) {
                valid++;
            } else {
                cleanErrors++;
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            boolean cloudConfig = text.startsWith("#cloud-config") && !text.startsWith("#cloud-config-archive");
            if (cloudConfig && DUPLICATE_KEY_EXAMPLES.contains(file.getFileName().toString())) {
                assertThat(result.errors()).as(file.toString()).isNotEmpty()
                        .allSatisfy(d -> assertThat(d.message()).startsWith("duplicate key"));
            } else if (cloudConfig) {
                result.errors().forEach(d -> failures.add(d + " | " + d.hint()));
                result.warnings().stream().filter(d -> TOLERATED_WARNINGS.stream().noneMatch(d.message()::contains))
                        .forEach(d -> failures.add("unexpected warning " + d));
            } else if (result.isValid()) {
                assertThat(result.userData().orElseThrow().parts()).as(file.toString()).isNotEmpty();
            } else {
                assertThat(result.errors()).as(file.toString()).allSatisfy(CloudInitCorpusTest::isPositioned);
            }
        }
        System.out.println("cloud-init corpus: " + files.size() + " files, " + valid + " valid, " + warnings
                + " warnings, " + cleanErrors + " clean errors");
        assertThat(failures).isEmpty();
    }

    private static void isPositioned(Diagnostic d) {
        assertThat(d.line()).isPositive();
        assertThat(d.message()).isNotBlank();
        assertThat(d.hint()).isNotBlank();
    }
}
