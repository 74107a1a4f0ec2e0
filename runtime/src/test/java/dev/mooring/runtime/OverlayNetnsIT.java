package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.OverlayNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        try (OverlayNode node = OverlayNode.create(dir)) {
            String namespace = node.host().namespace();
            NetnsLab.Background overlay = node.start(List.of(runtime.launcher().toString()));
            node.awaitReady(overlay, READY_WITHIN);
            Map<String, JsonNode> links = new HashMap<>();
            for (JsonNode link : node.lab().json(namespace, "ip", "-json", "link", "show")) {
                links.put(link.path("ifname").asText(), link);
            }

            assertThat(links).containsKeys("mooring0", "mooring-vx");
            assertThat(links.get("mooring-vx").path("master").asText()).isEqualTo("mooring0");
            JsonNode addresses = node.lab().json(namespace, "ip", "-json", "addr", "show", "dev", "mooring0");
            assertThat(addresses.toString()).contains("\"local\":\"" + OverlayNode.OVERLAY_ADDRESS + "\"");
            assertThat(JSON.readTree(node.status().toFile()).path("state").asText()).isEqualTo("ready");
            assertThat(overlay.isAlive()).as("the service keeps running; output:%n%s", overlay.output()).isTrue();
        }
    }

    /**
     * Every method-handle shape the service needs is made at build time
     * (runtime/src/assembly/jlink/method-handles.txt, docs/runtime.md): with the build's caches, the
     * JDK's trace of them shows none made at run time, up to READY and a second after it. A change
     * that needs a new shape fails here, naming the lines to add.
     */
    @Test
    void theServiceMakesNoMethodHandleShapesAtRunTime(@TempDir Path dir) throws Exception {
        InstalledRuntime.assumeServiceAotCache();
        InstalledRuntime runtime = InstalledRuntime.extract(dir.resolve("root")).withAotCache();
        try (OverlayNode node = OverlayNode.create(dir)) {
            NetnsLab.Background overlay = node.start(List.of("env",
                    "MOORING_JAVA_OPTS=-Djava.lang.invoke.MethodHandle.TRACE_RESOLVE=true", runtime.launcher().toString()));
            node.awaitReady(overlay, READY_WITHIN);
            Thread.sleep(1000);

            List<String> traced = overlay.output().lines().filter(l -> l.startsWith("[LF_RESOLVE]") || l.startsWith("[SPECIES_RESOLVE]")).toList();
            assertThat(traced).as("the trace is on; output:%n%s", overlay.output()).isNotEmpty();
            List<String> madeAtRunTime = traced.stream().filter(l -> l.endsWith(" (fail)") || l.endsWith(" (generated)"))
                    .map(l -> l.substring(0, l.lastIndexOf(" ("))).distinct().sorted().toList();
            assertThat(madeAtRunTime).as("shapes the service made at run time; add these lines to"
                    + " runtime/src/assembly/jlink/method-handles.txt").isEmpty();
        }
    }
}
