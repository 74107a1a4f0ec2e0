package dev.mooring.image.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One QEMU machine booting an image through OVMF under TCG (q35, qemu64), its serial console
 * written to a file. {@link #waitForLine} polls that file; {@link #close} kills QEMU by its PID,
 * so a test's finally (try-with-resources) never leaves it running.
 */
public final class OvmfMachine implements AutoCloseable {

    public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    private final Process process;
    private final Path console;
    private final long startedNanos;

    private OvmfMachine(Process process, Path console, long startedNanos) {
        this.process = process;
        this.console = console;
        this.startedNanos = startedNanos;
    }

    /** Why this machine cannot run here, or empty when it can. */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            return Optional.of("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
        }
        if (!Files.isRegularFile(OVMF_CODE) || !Files.isRegularFile(OVMF_VARS)) {
            return Optional.of("OVMF is not installed (apt-get install ovmf)");
        }
        return Optional.empty();
    }

    /** Boots {@code image} as a virtio disk ({@code cdrom=false}) or as a CD-ROM. */
    public static OvmfMachine boot(Path image, boolean cdrom, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path vars = workDir.resolve("OVMF_VARS.fd");
        Files.copy(OVMF_VARS, vars, StandardCopyOption.REPLACE_EXISTING);
        Path console = workDir.resolve("console.log");
        Files.deleteIfExists(console);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "qemu64",
                "-smp", "2", "-m", "1024", "-nographic", "-nodefaults", "-no-reboot",
                "-serial", "file:" + console,
                "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                "-drive", "if=pflash,format=raw,file=" + vars,
                "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0,romfile="));
        if (cdrom) {
            cmd.addAll(List.of("-drive", "file=" + image + ",format=raw,media=cdrom,readonly=on"));
        } else {
            String format = image.toString().endsWith(".qcow2") ? "qcow2" : "raw";
            // snapshot=on: the test never changes the built image.
            cmd.addAll(List.of("-drive", "file=" + image + ",format=" + format + ",if=virtio,snapshot=on"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("qemu.log").toFile()).start();
        return new OvmfMachine(p, console, System.nanoTime());
    }

    /** Waits until a console line matches; the match, and the time since QEMU started. */
    public Optional<Seen> waitForLine(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(console)) {
                String text = new String(Files.readAllBytes(console), StandardCharsets.UTF_8);
                Matcher m = pattern.matcher(text);
                if (m.find()) {
                    return Optional.of(new Seen(m.group(), Duration.ofNanos(System.nanoTime() - startedNanos)));
                }
            }
            if (!process.isAlive()) {
                return Optional.empty();
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }

    /** What the console showed, for a failure message: its last lines. */
    public String consoleTail(int lines) throws IOException {
        if (!Files.exists(console)) {
            return "(no console output)";
        }
        List<String> all = new String(Files.readAllBytes(console), StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    public record Seen(String line, Duration after) {
    }

    @Override
    public void close() throws InterruptedException {
        long pid = process.pid();
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
