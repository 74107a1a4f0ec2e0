package dev.mooring.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a short command on the lab host (ip, qemu-img, ...) and waits for it, with a deadline. */
public final class HostCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private HostCommand() {}

    /** A finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** This result, or a {@link LabException} naming the command and its output when it failed. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new LabException(String.join(" ", command) + " exited " + exitCode + ": "
                        + (stderr.strip() + " " + stdout.strip()).strip());
            }
            return this;
        }
    }

    public static Result run(String... command) {
        return run(List.of(command));
    }

    /** Runs {@code command}; never throws on a non-zero exit, throws {@link LabException} when it cannot run. */
    public static Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new LabException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new LabException(String.join(" ", command) + " did not finish within " + TIMEOUT);
            }
            return new Result(List.copyOf(command), process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new LabException("could not read the output of " + String.join(" ", command), e);
        }
    }

    /** {@code ip netns exec namespace command...} */
    public static Result inNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return run(full);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException | UncheckedIOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
