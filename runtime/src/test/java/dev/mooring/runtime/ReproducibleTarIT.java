package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.Processes;
import dev.mooring.runtime.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second assembly from the same jars, in another folder, gives the same bytes as the build's
 * tar: jlink, the staged tree and tar add nothing that depends on time, place or order.
 */
class ReproducibleTarIT {

    @Test
    void assemblingAgainElsewhereGivesTheSameTar(@TempDir Path elsewhere) throws Exception {
        Path basedir = Path.of(System.getProperty("mooring.runtime.basedir"));
        Path build = Path.of(System.getProperty("mooring.runtime.build-directory"));
        String version = System.getProperty("mooring.runtime.version");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                basedir.resolve("src/assembly/java/dev/mooring/runtime/assembly/RuntimeAssembly.java").toString(),
                "--version=" + version,
                "--jar=" + build.resolve("mooring-runtime.jar"),
                "--lib=" + build.resolve("lib"),
                "--sources=" + basedir.resolve("src/assembly"),
                "--doc=" + basedir.resolve("../docs/runtime.md"),
                "--work=" + elsewhere.resolve("work"),
                "--output=" + elsewhere,
                "--timestamp=" + System.getProperty("mooring.runtime.timestamp"),
                "--exclude-modules=" + System.getProperty("mooring.runtime.excluded-modules"),
                "--aot-cache=false",
                "--service=overlay-service");

        Result r = Processes.run(command, Map.of(), Duration.ofMinutes(5));

        assertThat(r.status()).as("%s", r).isZero();
        Path again = elsewhere.resolve("mooring-runtime-" + version + ".tar");
        assertThat(sha256(again)).isEqualTo(sha256(InstalledRuntime.tar()));
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
