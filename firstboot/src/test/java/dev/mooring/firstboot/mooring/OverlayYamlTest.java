package dev.mooring.firstboot.mooring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** overlay.yaml as first boot writes it is what the overlay service's own loader accepts. */
class OverlayYamlTest {

    @Test
    void theProbeWithoutTheHubSectionIsAccepted() {
        // Otherwise HUB_SECTION_SUPPORTED could be false for a reason other than the hub section.
        assertThat(OverlayYaml.accepted(OverlayYaml.PROBE)).isTrue();
    }

    @Test
    void everySettingRoundTripsThroughTheLoader() throws Exception {
        OverlaySettings settings = new OverlaySettings(true, Cidr.parse("100.64.0.0/16"), Ipv4Address.parse("100.64.0.1"), 77, 4790,
                OptionalInt.of(1400), UnderlaySelector.parse("198.51.100.0/24"),
                Optional.of(ClusterKey.parse("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")), Optional.of(Ipv4Address.parse("100.64.3.4")));
        String text = OverlayYaml.render("store-1", "it's-a-host", ClusterSpec.Role.CONTROL_PLANE, settings,
                Optional.of("/var/lib/mooring/hub/credentials.json"));
        OverlayConfig config = OverlayConfigLoader.parse(Path.of("overlay.yaml"), text, Optional.of("0123456789abcdef"));
        assertThat(config.cluster()).isEqualTo("store-1");
        assertThat(config.host().name()).isEqualTo("it's-a-host");
        assertThat(config.role()).isEqualTo(OverlayConfig.Role.CONTROL_PLANE);
        assertThat(config.overlay()).isEqualTo(settings);
        assertThat(text.contains("hub:")).isEqualTo(OverlayYaml.HUB_SECTION_SUPPORTED);
        assertThat(OverlayYaml.address(text)).contains(Ipv4Address.parse("100.64.3.4"));
    }
}
