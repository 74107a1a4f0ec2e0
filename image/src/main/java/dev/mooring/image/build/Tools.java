package dev.mooring.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs the external programs the build uses (mmdebstrap, mkfs.ext4, mtools, xorriso, qemu-img).
 * A missing program or a failure becomes a {@link BuildException} naming the program, its last
 * output lines and the Debian package that provides it.
 */
public final class Tools {

    /** Program → Debian package, for the "install it" hint. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("mmdebstrap", "mmdebstrap"), Map.entry("mkfs.ext4", "e2fsprogs"), Map.entry("debugfs", "e2fsprogs"),
            Map.entry("mkfs.vfat", "dosfstools"), Map.entry("mcopy", "mtools"), Map.entry("mmd", "mtools"),
            Map.entry("mdir", "mtools"), Map.entry("mtype", "mtools"),
            Map.entry("xorriso", "xorriso"), Map.entry("qemu-img", "qemu-utils"), Map.entry("objcopy", "binutils"),
            Map.entry("mksquashfs", "squashfs-tools"), Map.entry("tar", "tar"), Map.entry("zstd", "zstd"),
            Map.entry("chroot", "coreutils"), Map.entry("find", "findutils"), Map.entry("touch", "coreutils"));

    /** What a finished program left: exit status and its output (stdout and stderr merged). */
    public record Result(int exitCode, String output) {
        public List<String> lastLines(int n) {
            List<String> lines = output.lines().toList();
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        }
    }

    private final Map<String, String> environment;

    public Tools(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** Deterministic defaults for every program: C locale, UTC, the build's timestamp. */
    public static Tools forBuild(long sourceDateEpoch) {
        Map<String, String> env = new HashMap<>();
        env.put("LC_ALL", "C.UTF-8");
        env.put("TZ", "UTC");
        env.put("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch));
        env.put("E2FSPROGS_FAKE_TIME", Long.toString(sourceDateEpoch));
        env.put("MTOOLS_SKIP_CHECK", "1");
        env.put("MTOOLS_NO_VFAT", "0");
        return new Tools(env);
    }

    /** Runs {@code command}; a non-zero exit is a {@link BuildException} with the program's last lines. */
    public Result run(List<String> command, String doing) throws BuildException {
        return run(command, doing, line -> { });
    }

    public Result run(List<String> command, String doing, Consumer<String> lines) throws BuildException {
        Result result = tryRun(command, lines);
        if (result.exitCode() != 0 && (result.output().contains("No space left on device")
                || result.output().contains("Could not allocate block"))) {
            throw new BuildException("no space left on device while " + doing + " (" + command.getFirst() + ": "
                    + result.output().lines().filter(l -> l.contains("space") || l.contains("allocate")).findFirst().orElse("").strip() + ")",
                    "free space in the output folder or choose another one with -o (the cache folder: --cache); nothing was written under the final names");
        }
        if (result.exitCode() != 0) {
            throw new BuildException(doing + " failed: " + command.getFirst() + " exited with " + result.exitCode()
                    + lastLinesText(result), "read the lines above; they are the end of " + command.getFirst() + "'s output");
        }
        return result;
    }

    /** Runs {@code command} and returns whatever happened; only a missing program throws. */
    public Result tryRun(List<String> command, Consumer<String> lines) throws BuildException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            String program = command.getFirst();
            throw new BuildException(program + " is not installed (" + e.getMessage() + ")",
                    "install it: apt-get install " + PACKAGES.getOrDefault(Path.of(program).getFileName().toString(), program)
                            + " (image/packages.txt lists every package the builder uses)");
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The program reads no input; a failed close of its stdin changes nothing.
        }
        StringBuilder out = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (out.length() < 4 << 20) {
                    out.append(line).append('\n');
                }
                lines.accept(line);
            }
            return new Result(process.waitFor(), out.toString());
        } catch (IOException e) {
            process.destroyForcibly();
            throw new BuildException("reading the output of " + command.getFirst() + " failed: " + e.getMessage(), "try again");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BuildException(command.getFirst() + " was interrupted", "run the build again");
        }
    }

    /** The program's path when it is on PATH. */
    public static Optional<Path> which(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String lastLinesText(Result result) {
        List<String> last = result.lastLines(15);
        return last.isEmpty() ? "" : ":\n  " + String.join("\n  ", last);
    }
}
