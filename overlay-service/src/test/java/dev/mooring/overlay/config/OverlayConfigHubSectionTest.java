package dev.mooring.overlay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The optional {@code hub:} section of overlay.yaml (docs/contracts.md). */
class OverlayConfigHubSectionTest {

    private static final Path FILE = Path.of("/etc/mooring/overlay.yaml");
    private static final Optional<String> MACHINE_ID = Optional.of("3d1219c7c4c5404aaa1f6d2a48adfda4");

    @Test
    void noSectionNoHub() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {address: 100.64.192.10}\n", MACHINE_ID);
        assertThat(c.hub()).isEmpty();
    }

    @Test
    void readsCredentialsAndHeartbeat() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10}
                hub:
                  credentials: /tmp/creds.json
                  heartbeat: 30s
                """, MACHINE_ID);
        assertThat(c.hub()).contains(new OverlayConfig.Hub(Path.of("/tmp/creds.json"), Duration.ofSeconds(30)));
    }

    @Test
    void anEmptySectionTakesTheDefaults() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {address: 100.64.192.10}\nhub: {}\n",
                MACHINE_ID);
        assertThat(c.hub()).contains(new OverlayConfig.Hub(Path.of("/var/lib/mooring/hub/credentials.json"),
                Duration.ofSeconds(10)));
    }

    @Test
    void badValuesAreReportedWithTheirPosition() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10}
                hub: {credentials: relative.json, heartbeat: 100ms}
                """, MACHINE_ID)).isInstanceOfSatisfying(OverlayConfigException.class, e -> {
            assertThat(e.getMessage()).contains("overlay.yaml:3:").contains("hub.credentials").contains("absolute path")
                    .contains("hub.heartbeat").contains("1s..600s");
        });
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10}
                hub: {url: https://hub}
                """, MACHINE_ID)).isInstanceOf(OverlayConfigException.class).hasMessageContaining("url");
    }
}
