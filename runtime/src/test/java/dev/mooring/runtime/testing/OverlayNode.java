package dev.mooring.runtime.testing;

import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link NetnsLab} host (underlay {@code eth0} on 198.51.100.0/24) with a configuration for
 * {@code mooring overlay run}: the set-up the runtime's namespace test and its READY benchmark
 * share. Closing it kills what it started and deletes the lab's namespaces.
 *
 * @param lab    the one-host lab
 * @param config the configuration {@link #start} passes to the service
 * @param status the status file the service writes just before it tells systemd READY=1
 */
public record OverlayNode(NetnsLab lab, Path config, Path status) implements AutoCloseable {

    /** The overlay address the configuration gives the host. */
    public static final String OVERLAY_ADDRESS = "100.64.192.10";

    /**
     * Builds a one-host lab and writes {@code directory/overlay.yaml}, whose status file is
     * {@code directory/overlay.json} (removed here if an earlier run left it) and whose identity
     * lives in {@code directory/state}, never in the build machine's /var/lib/mooring.
     */
    public static OverlayNode create(Path directory) throws IOException {
        return create(directory, false);
    }

    /**
     * As {@link #create(Path)}; with {@code hubManaged} the configuration also has a {@code hub:}
     * section whose credentials name a hub at 198.51.100.254, an address nothing in the lab
     * answers: the service then runs its hub client (heartbeats that time out and are retried),
     * as a registered device whose hub is away does.
     */
    public static OverlayNode create(Path directory, boolean hubManaged) throws IOException {
        Path config = directory.resolve("overlay.yaml");
        Path status = directory.resolve("overlay.json");
        Files.deleteIfExists(status);
        NetnsLab lab = NetnsLab.create(1);
        try {
            Files.writeString(config, """
                    host:
                      name: rt-node-1
                    role: control-plane
                    overlay:
                      cidr: 100.64.192.0/23
                      address: %s
                      underlay: %s
                      key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
                    peers:
                      - host: rt-node-2
                        address: 100.64.192.11
                        underlay: 198.51.100.2
                    status: %s
                    state: %s
                    """.formatted(OVERLAY_ADDRESS, lab.host(1).device(), status, directory.resolve("state"))
                    + (hubManaged ? hubSection(directory) : ""));
            return new OverlayNode(lab, config, status);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** Credentials as first boot writes them (docs/contracts.md), and the section naming them. */
    private static String hubSection(Path directory) throws IOException {
        Path hub = Files.createDirectories(directory.resolve("hub"));
        Path credentials = hub.resolve("credentials.json");
        Files.writeString(credentials, """
                {"version": 1, "url": "http://198.51.100.254:8443", "cluster": "rt", "hostId": "rt-node-1",
                 "apiKey": "mk_abcdefghijklmnopqrstuvwxyz012345"}
                """);
        return "cluster: rt\nhub:\n  credentials: " + credentials + "\n  heartbeat: 2s\n";
    }

    public NetnsLab.Host host() {
        return lab.host(1);
    }

    /**
     * Starts {@code mooring overlay run --config <config>} inside the host; {@code mooring} is the
     * command that runs mooring (a launcher, or {@code java -cp ... dev.mooring.runtime.Mooring}).
     */
    public NetnsLab.Background start(List<String> mooring) throws IOException {
        List<String> command = new ArrayList<>(mooring);
        command.addAll(List.of("overlay", "run", "--config", config.toString()));
        return lab.start(host().namespace(), command);
    }

    /**
     * Returns once the status file exists, polling every 0.2 ms (the benchmark measures this
     * moment); fails with the service's output if it exits first or is not ready {@code within}.
     */
    public void awaitReady(NetnsLab.Background overlay, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!Files.exists(status)) {
            if (!overlay.isAlive()) {
                throw new IOException("mooring overlay run exited before it was ready; its output:\n" + overlay.output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("mooring overlay run was not ready within " + within + "; its output:\n" + overlay.output());
            }
            Thread.sleep(Duration.ofNanos(200_000));
        }
    }

    @Override
    public void close() {
        lab.close();
    }
}
