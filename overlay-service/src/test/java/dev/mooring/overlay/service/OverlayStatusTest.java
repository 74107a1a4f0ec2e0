package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class OverlayStatusTest {

    /** A control-plane host holding the VIP, with one peer heard by discovery; public for the CLI's test. */
    public static final OverlayStatus STATUS = new OverlayStatus(2, "ready", "store-0042", "h1", "h1-id", "control-plane", 7,
            new OverlayStatus.Overlay("100.64.192.10", "persisted", 23, "100.64.192.0/23", "02:00:64:40:c0:0a", "100.64.192.1",
                    1450, "mooring0", "mooring-vx", 4242, 4789),
            new OverlayStatus.Underlay("eth0", List.of("198.51.100.11"), 1500),
            new OverlayStatus.Vip("100.64.192.1", true, "h1", "h1-id", true, "2026-11-27T02:59:58Z"),
            new OverlayStatus.Discovery(true, 4793, 250, 40, Map.of("bad-hmac", 3L, "replayed", 0L)),
            List.of(new OverlayStatus.PeerStatus("h2", "100.64.192.11", "198.51.100.12", "02:00:64:40:c0:0b")),
            List.of(new OverlayStatus.MemberStatus("h2-id", "h2", "100.64.192.11", "198.51.100.12", "02:00:64:40:c0:0b",
                    "worker", "alive", "2026-11-27T02:59:59.750Z", 3, false, false, false)),
            new OverlayStatus.Reconcile("2026-11-27T03:00:00Z", 4, 12, 0, null), "http://127.0.0.1:9647/metrics");

    @Test
    void writesAtomicallyAndReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run/mooring/overlay.json");
        STATUS.write(file);
        STATUS.withState("stopped").write(file);
        assertThat(OverlayStatus.read(file)).isEqualTo(STATUS.withState("stopped"));
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void theFileIsTheDocumentedJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overlay.json");
        STATUS.write(file);
        assertThat(Files.readString(file)).contains("\"version\" : 2", "\"state\" : \"ready\"", "\"address\" : \"100.64.192.10\"",
                "\"prefixLength\" : 23", "\"device\" : \"eth0\"", "\"changesApplied\" : 12", "\"lastError\" : null",
                "\"incarnation\" : 7", "\"holder\" : \"h1\"", "\"state\" : \"alive\"", "\"bad-hmac\" : 3",
                "\"metrics\" : \"http://127.0.0.1:9647/metrics\"");
    }

    @Test
    void aReaderIgnoresFieldsAddedLater(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overlay.json");
        Files.writeString(file, STATUS.toJson().replaceFirst("\\{", "{\"vipHeld\": true,"));
        assertThat(OverlayStatus.read(file)).isEqualTo(STATUS);
    }

    @Test
    void textNamesTheEssentials() {
        assertThat(STATUS.toText()).contains("state:     ready", "100.64.192.10/23 on mooring0", "vni 4242 port 4789 via eth0 198.51.100.11",
                "h2  100.64.192.11 -> 198.51.100.12", "4 passes, 12 changes applied", "100.64.192.1 held here since",
                "40 accepted, 3 dropped (bad-hmac 3)", "h2  100.64.192.11 -> 198.51.100.12  alive", "incarnation 7");
    }
}
