package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayStatusTest {

    static final OverlayStatus STATUS = new OverlayStatus(1, "ready", "h1", "control-plane",
            new OverlayStatus.Overlay("100.64.192.10", 23, "100.64.192.0/23", "02:00:64:40:c0:0a", "100.64.192.1", 1450,
                    "mooring0", "mooring-vx", 4242, 4789),
            new OverlayStatus.Underlay("eth0", List.of("198.51.100.11"), 1500),
            List.of(new OverlayStatus.PeerStatus("h2", "100.64.192.11", "198.51.100.12", "02:00:64:40:c0:0b")),
            new OverlayStatus.Reconcile("2026-11-27T03:00:00Z", 4, 12, 0, null));

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
        assertThat(Files.readString(file)).contains("\"state\" : \"ready\"", "\"address\" : \"100.64.192.10\"",
                "\"prefixLength\" : 23", "\"device\" : \"eth0\"", "\"changesApplied\" : 12", "\"lastError\" : null");
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
                "h2  100.64.192.11 -> 198.51.100.12", "4 passes, 12 changes applied");
    }
}
