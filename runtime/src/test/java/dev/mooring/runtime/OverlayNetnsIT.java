package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.NetworkNamespace;
import dev.mooring.runtime.testing.RequiresNetns;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mooring overlay run} from the extracted tar, on the jlinked runtime, inside a namespace
 * with a veth underlay: the FFM netlink code works on the runtime jlink built (native access
 * enabled, the modules present) and brings up mooring0 and mooring-vx.
 */
@RequiresNetns
class OverlayNetnsIT {

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void overlayRunBringsUpTheBridgeAndTheVxlanDevice(@TempDir Path dir) throws Exception {
        InstalledRuntime runtime = InstalledRuntime.extract(dir.resolve("root"));
        Path config = dir.resolve("overlay.yaml");
        Path status = dir.resolve("run/overlay.json");
        Files.writeString(config, """
                host:
                  name: rt-test-1
                role: control-plane
                overlay:
                  cidr: 100.64.192.0/23
                  address: 100.64.192.10
                  underlay: mr-u0
                  key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
                peers:
                  - host: rt-test-2
                    address: 100.64.192.11
                    underlay: 198.51.100.2
                status: %s
                """.formatted(status));
        File log = dir.resolve("overlay.log").toFile();
        Process overlay = null;
        try (NetworkNamespace ns = NetworkNamespace.create("rt")) {
            try {
                ns.ip("link", "add", "mr-u0", "type", "veth", "peer", "name", "mr-u1");
                ns.ip("addr", "add", "198.51.100.1/24", "dev", "mr-u0");
                ns.ip("link", "set", "mr-u0", "up");
                ns.ip("link", "set", "mr-u1", "up");

                overlay = new ProcessBuilder(ns.exec(List.of(runtime.launcher().toString(), "overlay", "run",
                        "--config", config.toString())))
                        .redirectErrorStream(true).redirectOutput(log).start();
                waitUntilReady(overlay, status, log);
                Map<String, JsonNode> links = new HashMap<>();
                for (JsonNode link : JSON.readTree(ns.ip("-json", "link", "show"))) {
                    links.put(link.path("ifname").asText(), link);
                }

                assertThat(links).containsKeys("mooring0", "mooring-vx");
                assertThat(links.get("mooring-vx").path("master").asText()).isEqualTo("mooring0");
                JsonNode addresses = JSON.readTree(ns.ip("-json", "addr", "show", "dev", "mooring0"));
                assertThat(addresses.toString()).contains("\"local\":\"100.64.192.10\"");
                assertThat(JSON.readTree(status.toFile()).path("state").asText()).isEqualTo("ready");
                assertThat(overlay.isAlive()).as("the service keeps running; log:%n%s", Files.readString(log.toPath())).isTrue();
            } finally {
                stop(overlay);
            }
        }
    }

    /**
     * Waits for the status file, which the service writes just before it tells systemd READY=1;
     * fails if the service dies first.
     */
    private static void waitUntilReady(Process overlay, Path status, File log) throws Exception {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!Files.exists(status)) {
            if (!overlay.isAlive()) {
                fail("mooring overlay run exited %d before it was ready; its output:%n%s",
                        overlay.exitValue(), Files.readString(log.toPath()));
            }
            if (Instant.now().isAfter(deadline)) {
                fail("mooring overlay run was not ready within %s; its output:%n%s", READY_WITHIN, Files.readString(log.toPath()));
            }
            overlay.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    /** Ends the service by its PID (and anything it started), politely first. */
    private static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
