package dev.mooring.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process the lab started (dnsmasq, QEMU, a hub): known by PID, its output in a log
 * file, stopped by PID with its descendants. Never found or killed by name: other labs on the same
 * machine run the same programs.
 */
public final class LabProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path log;

    private LabProcess(String name, List<String> command, Process process, Path log) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with stdout and stderr going to {@code log}. */
    public static LabProcess start(String name, List<String> command, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new LabProcess(name, List.copyOf(command), process, log);
        } catch (IOException e) {
            throw new LabException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    /** Starts {@code command} with stdout left to the caller ({@link #stdout()}) and stderr going to {@code log}. */
    public static LabProcess startPiped(String name, List<String> command, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            return new LabProcess(name, List.copyOf(command), process, log);
        } catch (IOException e) {
            throw new LabException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    public Path log() {
        return log;
    }

    /** The exit code once the process has ended. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    java.io.InputStream stdout() {
        return process.getInputStream();
    }

    java.io.OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Everything the process has logged so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL for whatever is left after {@code grace}. */
    public void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                descendants.forEach(ProcessHandle::destroyForcibly);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }

    /** SIGKILL to the process and its descendants, by PID; waits until it is gone. */
    public void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
