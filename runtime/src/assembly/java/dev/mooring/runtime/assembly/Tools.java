package dev.mooring.runtime.assembly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The external programs the assembly runs: jlink and jdeps of the JDK, GNU tar, the training script. */
final class Tools {

    private Tools() {}

    /** jlink; {@code methodHandles} lists the method-handle shapes to pre-generate into java.base. */
    static void jlink(Path javaHome, Set<String> modules, String bakedOptions, Path methodHandles, Path output) {
        run(List.of(javaHome.resolve("bin/jlink").toString(),
                "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--compress=zip-6",
                // No --generate-cds-archive: the AOT cache holds the JDK's classes too, and the 14 MB
                // default archive would only speed up a start without it (by ~20%).
                "--generate-jli-classes=@" + methodHandles.toAbsolutePath(),
                "--add-options=" + bakedOptions,
                "--output", output.toString()), null);
    }

    /**
     * Writes {@code root}'s tree as a tar that depends on nothing but the tree's content: entries
     * sorted by name, one mtime, owner and group 0 as numbers, GNU format (no PAX headers carrying
     * atime/ctime).
     */
    static void tar(Path root, Path tar, Instant timestamp) {
        String version = output(List.of("tar", "--version"));
        if (!version.startsWith("tar (GNU tar)")) {
            throw new AssemblyException("the runtime tar needs GNU tar 1.28 or later (for --sort=name); 'tar --version' says: "
                    + version.lines().findFirst().orElse(""));
        }
        try {
            Files.createDirectories(tar.getParent());
            Files.deleteIfExists(tar);
        } catch (IOException e) {
            throw new AssemblyException("cannot prepare " + tar, e);
        }
        List<String> command = new ArrayList<>(List.of("tar", "--create", "--file=" + tar.toAbsolutePath(),
                "--directory=" + root.toAbsolutePath(), "--format=gnu", "--sort=name",
                "--mtime=@" + timestamp.getEpochSecond(), "--owner=0", "--group=0", "--numeric-owner"));
        command.addAll(RuntimeAssembly.topLevel(root));
        run(command, null);
    }

    /** Runs {@code command} (in {@code directory} if given) with its output on ours; fails on a non-zero exit. */
    static void run(List<String> command, Path directory) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        finish(command, builder, directory, "its output is above");
    }

    /** Runs {@code command} in {@code directory} with its output and errors in {@code log}; fails on a non-zero exit. */
    static void run(List<String> command, Path directory, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        finish(command, builder, directory, "its output is in " + log);
    }

    private static void finish(List<String> command, ProcessBuilder builder, Path directory, String whereOutputIs) {
        builder.environment().put("LC_ALL", "C");
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        int status = waitFor(command, builder);
        if (status != 0) {
            throw new AssemblyException(command.getFirst() + " exited with " + status + "; " + whereOutputIs + ". Command: "
                    + String.join(" ", command));
        }
    }

    /** Runs {@code command} and returns its standard output; fails on a non-zero exit. */
    static String output(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LC_ALL", "C");
        try {
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            if (status != 0) {
                throw new AssemblyException(command.getFirst() + " exited with " + status + "; command: " + String.join(" ", command));
            }
            return out;
        } catch (IOException e) {
            throw new AssemblyException("cannot run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssemblyException("interrupted while running " + command.getFirst());
        }
    }

    private static int waitFor(List<String> command, ProcessBuilder builder) {
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            throw new AssemblyException("cannot run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssemblyException("interrupted while running " + command.getFirst());
        }
    }
}
