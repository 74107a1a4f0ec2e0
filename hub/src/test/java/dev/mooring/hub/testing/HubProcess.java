package dev.mooring.hub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mooring hub} in a child JVM ({@code java -cp} of this test's class path), on a free
 * loopback port. {@link #kill} is SIGKILL by PID; {@link #close} kills it if it still runs.
 */
public final class HubProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (https?://\\S+)");

    private final Process process;
    private final String url;
    private final Path log;

    private HubProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    public static HubProcess start(Path data, List<String> jvmOptions) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.mooring.hub.cli.HubCommand",
                "--data", data.toString(), "--listen", "127.0.0.1:0"));
        Files.createDirectories(data);
        Path log = Files.createTempFile(data.getParent(), "hub", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String u = url.get(60, TimeUnit.SECONDS);
            if (u == null) {
                throw new IOException("the hub exited before it listened: " + Files.readString(log));
            }
            return new HubProcess(p, u, log);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            p.waitFor();
            throw new IOException("the hub did not start in 60 s: " + Files.readString(log), e);
        }
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL, no shutdown hook runs: what a power cut or the OOM killer does to the process. */
    public void kill() throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        process.waitFor();
    }

    /** SIGTERM, and the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
