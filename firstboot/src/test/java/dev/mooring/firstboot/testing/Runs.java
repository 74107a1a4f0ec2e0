package dev.mooring.firstboot.testing;

import dev.mooring.firstboot.apply.CommandRunner;
import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.apply.RootFiles;
import dev.mooring.firstboot.registration.Backoff;
import dev.mooring.firstboot.registration.HubRegistration;
import dev.mooring.firstboot.registration.Registrar;
import dev.mooring.firstboot.run.FirstbootRun;
import dev.mooring.firstboot.run.FirstbootStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** Builds first-boot runs for tests: a fixed clock and boot id, no real sleeping, a short registration bound. */
public final class Runs {

    public static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

    private Runs() {
    }

    public static String example(String name) throws IOException {
        try (InputStream in = Runs.class.getResourceAsStream("/examples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The control-plane example, registering with {@code hub} (or an address where nothing listens). */
    public static String controlPlane(String hubUrl) throws IOException {
        return example("control-plane.yaml").replace("https://hub.example.com:8443", hubUrl).replace("K10c3f1e2d-store-0042", TestHub.TOKEN);
    }

    public static Path seed(Path dir, String userData, String instanceId, Optional<String> networkConfig) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("user-data"), userData);
        Files.writeString(dir.resolve("meta-data"), "instance-id: " + instanceId + "\nlocal-hostname: from-meta-data\n");
        if (networkConfig.isPresent()) {
            Files.writeString(dir.resolve("network-config"), networkConfig.get());
        } else {
            Files.deleteIfExists(dir.resolve("network-config"));
        }
        return dir;
    }

    public static FirstbootStatus run(Path root, Path seed) throws IOException {
        return run(root, new DirectoryRoot(root), seed, Optional.empty(), "boot-1");
    }

    public static FirstbootStatus run(Path root, RootFiles files, Path seed, Optional<CommandRunner> commands, String bootId) throws IOException {
        return new FirstbootRun(options(root, files, seed, commands, bootId), line -> { }).run();
    }

    public static FirstbootRun.Options options(Path root, RootFiles files, Path seed, Optional<CommandRunner> commands, String bootId) {
        return options(root, files, Optional.of(seed), commands, bootId);
    }

    public static FirstbootRun.Options options(Path root, RootFiles files, Optional<Path> seed, Optional<CommandRunner> commands, String bootId) {
        Registrar registrar = new Registrar(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, Duration.ofSeconds(3)),
                Clock.fixed(NOW, ZoneOffset.UTC), d -> { }, () -> 0.5, line -> { });
        return new FirstbootRun.Options(root, files, Optional.of(""), seed, commands, Duration.ZERO, Duration.ofSeconds(1),
                bootId, Clock.fixed(NOW, ZoneOffset.UTC),
                new HubRegistration.Settings(registrar, () -> List.of("198.51.100.11"), "0.1.0-test", Duration.ofSeconds(2)));
    }

    /** Runs commands with this machine's /bin/sh inside {@code root} as working directory (test user-data uses relative paths). */
    public static CommandRunner shellIn(Path root) {
        return CommandRunner.processes(List.of(), root);
    }
}
