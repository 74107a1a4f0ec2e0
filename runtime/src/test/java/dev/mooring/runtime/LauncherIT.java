package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.Processes.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher of the extracted tar, on the jlinked runtime (never the build's JDK): the commands
 * a device and a user run, the exit statuses, and that JVM messages stay off stdout.
 */
class LauncherIT {

    @TempDir
    static Path root;

    private static InstalledRuntime runtime;
    private static Path goodUserData;
    private static Path badUserData;

    @BeforeAll
    static void install() throws IOException {
        runtime = InstalledRuntime.extract(root);
        goodUserData = sample("user-data.yaml");
        badUserData = sample("user-data-invalid.yaml");
    }

    private static Path sample(String name) throws IOException {
        Path file = root.resolve(name);
        try (InputStream in = LauncherIT.class.getResourceAsStream("/dev/mooring/runtime/aot/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void versionRunsOnTheJlinkedRuntime() throws IOException {
        Result r = runtime.mooring("--version");

        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.out().lines().toList()).hasSize(2);
        assertThat(r.out().lines().findFirst()).hasValue("mooring " + System.getProperty("mooring.runtime.version"));
        assertThat(r.out()).contains("Java 25", "at " + runtime.home().resolve("runtime"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void validUserDataExits0() throws IOException {
        Result r = runtime.mooring("userdata", "validate", goodUserData.toString());

        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.out() + r.err()).contains(goodUserData + ": valid");
    }

    @Test
    void invalidUserDataExits1WithTheLineAndColumn() throws IOException {
        Result r = runtime.mooring("userdata", "validate", badUserData.toString());

        assertThat(r.status()).as("%s", r).isEqualTo(1);
        assertThat(r.out() + r.err()).contains(badUserData + ":5:1: error: unknown key 'usres'", "did you mean 'users'?");
    }

    @Test
    void aWrongCommandLineExits2WithoutAStackTrace() throws IOException {
        Result r = runtime.mooring("userdata", "validate", "--no-such-option", goodUserData.toString());

        assertThat(r.status()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("mooring userdata validate: Unknown option: '--no-such-option'",
                "Run 'mooring userdata validate --help' for usage.").doesNotContain("\tat ");
    }

    @Test
    void helpAndCompletionWork() throws IOException {
        Result help = runtime.mooring("--help");
        Result completion = runtime.mooring("completion");

        assertThat(help.status()).as("%s", help).isZero();
        assertThat(help.out()).contains("userdata", "overlay", "completion");
        assertThat(completion.status()).as("%s", completion).isZero();
        assertThat(completion.out()).contains("complete -F", "validate");
    }

    @Test
    void runsThroughASymlinkAsInstalledOnThePath() throws IOException {
        Path link = Files.createDirectories(root.resolve("usr/local/bin")).resolve("mooring");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, runtime.launcher());

        Result r = InstalledRuntime.run(link, Map.of(), "--version");

        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.out()).contains("at " + runtime.home().resolve("runtime"));
    }
}
