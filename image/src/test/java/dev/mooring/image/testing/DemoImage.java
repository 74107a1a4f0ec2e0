package dev.mooring.image.testing;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.ImageBuild;
import dev.mooring.image.build.Progress;
import dev.mooring.image.build.RuntimeLocator;
import dev.mooring.image.build.steps.Layering.RuntimeTar;
import dev.mooring.image.cli.BuildCommandAccess;
import dev.mooring.image.spec.ImageSpec;
import dev.mooring.image.spec.ImageSpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The demo spec (examples/edge) copied into a test folder, optionally edited, and built with the
 * shared root filesystem cache (so the first build in a run warms it for the others). The runtime
 * tar is found through {@code mooring.runtime.tar} or runtime/target under {@code mooring.checkout}.
 */
public final class DemoImage {

    private DemoImage() {
    }

    public static Path checkout() {
        return Path.of(System.getProperty("mooring.checkout", "..")).toAbsolutePath().normalize();
    }

    /** Why the image tests cannot run here (not root, no runtime tar, no tools), or empty. */
    public static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("image builds need root (mmdebstrap, a root-owned tree); run as root, as make test does");
        }
        try {
            RuntimeLocator.find(Optional.empty());
        } catch (BuildException e) {
            return Optional.of("no runtime tar: " + e.getMessage() + ". The Makefile runs these tests after make runtime-tar; "
                    + "or pass -Dmooring.runtime.tar=PATH");
        }
        return Optional.empty();
    }

    public static RuntimeTar runtime() throws BuildException {
        return RuntimeLocator.find(Optional.empty());
    }

    /** Copies the demo spec and user-data into {@code dir}, applying {@code edit} to the spec text. */
    public static Path spec(Path dir, UnaryOperator<String> edit) throws IOException {
        Files.createDirectories(dir);
        Path examples = checkout().resolve("examples/edge");
        Files.copy(examples.resolve("user-data.yaml"), dir.resolve("user-data.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path spec = dir.resolve("image.yaml");
        Files.writeString(spec, edit.apply(Files.readString(examples.resolve("image.yaml"))));
        return spec;
    }

    public static ImageSpec parse(Path specFile) {
        ImageSpecParser.Result r = ImageSpecParser.standard().parse(specFile);
        return r.spec().orElseThrow(() -> new AssertionError("spec " + specFile + " invalid: " + r.diagnostics()));
    }

    public static ImageBuild.Result build(Path specFile, Path out) throws BuildException {
        return new ImageBuild(parse(specFile), out, cache(), runtime(), Progress.silent()).run();
    }

    public static Path cache() {
        return BuildCommandAccess.cacheDir(Map.copyOf(System.getenv()));
    }

    public static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
