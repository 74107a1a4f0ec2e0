package dev.mooring.lab.drill;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** What a drill does to the booted cluster, in the order given; each step ends with its own checks. */
public enum Scenario {
    /** Every cable pulled, DHCP restarted on the other subnet with no leases, cables back. */
    NETWORK_RESTART("network-restart"),
    /** The host holding the VIP loses power; later it is powered on again (a cold power cycle of one). */
    VIP_HOLDER_OFF("vip-holder-off"),
    /** One machine's reset button (QMP system_reset). */
    POWER_CYCLE_ONE("power-cycle-one"),
    /** Every machine's reset button at once, as after a power cut at the site. */
    POWER_CYCLE_ALL("power-cycle-all"),
    /**
     * The control: the overlay switched off on every host, etcd bound to the DHCP addresses as a site
     * without Mooring would, then the network restart again; etcd must lose its quorum or members.
     */
    CONTROL_OVERLAY_OFF("control-overlay-off");

    private final String id;

    Scenario(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses {@code network-restart,vip-holder-off,...} or {@code all} (every scenario but the control). */
    public static List<Scenario> parseList(String text) {
        if (text.strip().equals("all")) {
            return List.of(NETWORK_RESTART, VIP_HOLDER_OFF, POWER_CYCLE_ONE, POWER_CYCLE_ALL);
        }
        return Arrays.stream(text.split(",")).map(String::strip).map(Scenario::parse).toList();
    }

    public static Scenario parse(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; known: all, "
                + Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", ")));
    }
}
