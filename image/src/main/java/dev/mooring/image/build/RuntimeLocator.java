package dev.mooring.image.build;

import dev.mooring.image.build.steps.Layering.RuntimeTar;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the Mooring runtime tar an image embeds when the spec names none: the system property
 * {@code mooring.runtime.tar} or variable {@code MOORING_RUNTIME_TAR}; then a
 * {@code mooring-runtime-*.tar} next to the running program (or one folder up); then, in a
 * checkout, {@code runtime/target/mooring-runtime-*.tar} above the working folder or the program.
 * Its AOT caches are the files of the same name ending in {@code .aot} and {@code -overlay.aot}
 * (the overlay service's own), when present.
 */
public final class RuntimeLocator {

    private RuntimeLocator() {
    }

    public static RuntimeTar of(Path tar) {
        String name = tar.getFileName().toString();
        String base = name.endsWith(".tar") ? name.substring(0, name.length() - 4) : name;
        return new RuntimeTar(tar, sibling(tar, base + ".aot"), sibling(tar, base + "-overlay.aot"));
    }

    private static Optional<Path> sibling(Path tar, String name) {
        Path file = tar.resolveSibling(name);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    public static RuntimeTar find(Optional<Path> given) throws BuildException {
        if (given.isPresent()) {
            return of(given.get());
        }
        String property = System.getProperty("mooring.runtime.tar", System.getenv("MOORING_RUNTIME_TAR"));
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property);
            if (!Files.isRegularFile(p)) {
                throw new BuildException("the runtime tar " + p + " (mooring.runtime.tar / MOORING_RUNTIME_TAR) does not exist",
                        "build it with make runtime-tar, or name an existing one");
            }
            return of(p);
        }
        List<Path> places = new ArrayList<>();
        programDir().ifPresent(d -> {
            places.add(d);
            if (d.getParent() != null) {
                places.add(d.getParent());
            }
        });
        for (Path start : startingPoints()) {
            for (Path p = start; p != null; p = p.getParent()) {
                places.add(p.resolve("runtime/target"));
            }
        }
        for (Path place : places) {
            Optional<Path> tar = newestTar(place);
            if (tar.isPresent()) {
                return of(tar.get());
            }
        }
        throw new BuildException("no Mooring runtime tar found (looked next to the program and for runtime/target/mooring-runtime-*.tar)",
                "build it with make runtime-tar, or name it in the spec: runtime: path/to/mooring-runtime.tar");
    }

    private static List<Path> startingPoints() {
        List<Path> out = new ArrayList<>();
        String checkout = System.getProperty("mooring.checkout");
        if (checkout != null) {
            out.add(Path.of(checkout).toAbsolutePath());
        }
        out.add(Path.of("").toAbsolutePath());
        programDir().ifPresent(out::add);
        return out;
    }

    private static Optional<Path> programDir() {
        try {
            var source = RuntimeLocator.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path p = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(Files.isDirectory(p) ? p : p.getParent());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> newestTar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("mooring-runtime-") && n.endsWith(".tar") && Files.isRegularFile(p);
            }).max(Comparator.comparing(p -> p.toFile().lastModified()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
