package dev.mooring.firstboot.mooring;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfigException;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.config.OverlaySettings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Renders /etc/mooring/overlay.yaml (docs/overlay.md) from the overlay settings first boot knows:
 * the user-data's, or the hub's answer merged over them. Strings are single-quoted so that values
 * such as {@code en*} stay text.
 */
public final class OverlayYaml {

    public static final String PATH = "/etc/mooring/overlay.yaml";

    /**
     * Whether this build's overlay service reads the {@code hub:} section of docs/contracts.md; it is
     * written only then, so the file is never one the overlay service refuses.
     */
    public static final boolean HUB_SECTION_SUPPORTED = hubSectionSupported();

    private OverlayYaml() {
    }

    /** The file's content; {@code hubCredentials} adds the hub section when the service reads it. */
    public static String render(String cluster, String hostName, ClusterSpec.Role role, OverlaySettings o,
                                Optional<String> hubCredentials) {
        StringBuilder out = new StringBuilder("# Written by mooring firstboot (docs/firstboot.md); read by mooring overlay run.\n");
        out.append("cluster: ").append(quote(cluster)).append('\n');
        out.append("host:\n  name: ").append(quote(hostName)).append('\n');
        out.append("role: ").append(role.yamlName()).append('\n');
        out.append("overlay:\n");
        out.append("  enabled: ").append(o.enabled()).append('\n');
        out.append("  cidr: ").append(quote(o.cidr().toString())).append('\n');
        out.append("  vip: ").append(quote(o.vip().toString())).append('\n');
        out.append("  vni: ").append(o.vni()).append('\n');
        out.append("  port: ").append(o.port()).append('\n');
        o.mtu().ifPresent(m -> out.append("  mtu: ").append(m).append('\n'));
        out.append("  underlay: ").append(quote(o.underlay().toString())).append('\n');
        o.key().ifPresent(k -> out.append("  key: ").append(quote(k.toBase64())).append('\n'));
        o.address().ifPresent(a -> out.append("  address: ").append(quote(a.toString())).append('\n'));
        if (HUB_SECTION_SUPPORTED) {
            hubCredentials.ifPresent(c -> out.append("hub:\n  credentials: ").append(quote(c)).append('\n'));
        }
        return out.toString();
    }

    /** The static address in an existing overlay.yaml: the address the host already uses. */
    public static Optional<Ipv4Address> address(String text) {
        try {
            return Optional.ofNullable(OverlayConfigLoader.parse(Path.of(PATH), text, Optional.of("firstboot")).overlay().address().orElse(null));
        } catch (OverlayConfigException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A minimal overlay.yaml the loader accepts; {@link #HUB_SECTION_SUPPORTED} adds only the hub section to it. */
    static final String PROBE = "cluster: probe\nhost: {name: probe, id: probe}\n"
            + "overlay: {key: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA='}\n";

    static boolean accepted(String text) {
        try {
            OverlayConfigLoader.parse(Path.of("probe.yaml"), text, Optional.of("probe"));
            return true;
        } catch (OverlayConfigException | RuntimeException e) {
            return false;
        }
    }

    private static boolean hubSectionSupported() {
        return accepted(PROBE + "hub: {credentials: /var/lib/mooring/hub/credentials.json}\n");
    }
}
