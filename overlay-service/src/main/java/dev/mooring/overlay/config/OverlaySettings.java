package dev.mooring.overlay.config;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The overlay's settings, as user-data's {@code mooring.overlay} section and the overlay
 * service's {@code overlay.yaml} both carry them. The range and cross-field rules live here, once:
 * user-data validation reports their problems at the field's line and column, the overlay
 * service refuses to start on them.
 *
 * @param mtu     the overlay MTU, empty for "underlay MTU - 50"
 * @param key     the cluster key; empty only when the hub will hand it out
 * @param address a static overlay address, empty to have one assigned or derived
 */
public record OverlaySettings(boolean enabled, Cidr cidr, Ipv4Address vip, int vni, int port,
                              OptionalInt mtu, UnderlaySelector underlay, Optional<ClusterKey> key,
                              Optional<Ipv4Address> address) {

    /** Like Palette, a commonly unused range (shared address space, RFC 6598) when none is given. */
    public static final Cidr DEFAULT_CIDR = Cidr.parse("100.64.192.0/23");
    public static final int DEFAULT_VNI = 4242;
    /** IANA's VXLAN port; flannel's Linux default is 8472, so a CNI's own VXLAN never collides. */
    public static final int DEFAULT_PORT = 4789;
    /** VXLAN over IPv4 adds 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
    public static final int VXLAN_OVERHEAD = 50;
    public static final int MIN_MTU = 1280;
    public static final int MAX_MTU = 9000 - VXLAN_OVERHEAD;
    public static final int MAX_VNI = 16_777_215;
    /** /29 leaves six usable addresses: the VIP and at least a handful of hosts. */
    public static final int LONGEST_PREFIX = 29;
    public static final int SHORTEST_PREFIX = 8;

    /** A rule that a value breaks; {@code field} is the key under the overlay section. */
    public record Problem(String field, String message) {}

    public OverlaySettings {
        List<Problem> problems = problems(cidr, vip, vni, port, mtu, address);
        if (!problems.isEmpty()) {
            Problem first = problems.getFirst();
            throw new IllegalArgumentException(first.field() + ": " + first.message());
        }
    }

    /** The settings for a CIDR with every other value defaulted (VIP = first usable address). */
    public static OverlaySettings defaults(Cidr cidr) {
        return new OverlaySettings(true, cidr, cidr.firstUsable(), DEFAULT_VNI, DEFAULT_PORT,
                OptionalInt.empty(), new UnderlaySelector.Auto(), Optional.empty(), Optional.empty());
    }

    public int overlayMtu(int underlayMtu) {
        return mtu.orElse(underlayMtu - VXLAN_OVERHEAD);
    }

    /** Every rule the values break, in field order; empty when they are consistent. */
    public static List<Problem> problems(Cidr cidr, Ipv4Address vip, int vni, int port,
                                         OptionalInt mtu, Optional<Ipv4Address> address) {
        List<Problem> out = new ArrayList<>();
        if (cidr.prefixLength() > LONGEST_PREFIX) {
            out.add(new Problem("cidr", cidr + " is too small: it has " + cidr.size()
                    + " addresses; use a /" + LONGEST_PREFIX + " or larger (e.g. the default " + DEFAULT_CIDR + ")"));
        } else if (cidr.prefixLength() < SHORTEST_PREFIX) {
            out.add(new Problem("cidr", cidr + " is larger than a /" + SHORTEST_PREFIX
                    + "; an overlay never needs that many addresses and would shadow real networks"));
        }
        checkHost(out, "vip", "the VIP", vip, cidr);
        address.ifPresent(a -> {
            checkHost(out, "address", "the static address", a, cidr);
            if (a.equals(vip)) {
                out.add(new Problem("address", "the static address " + a
                        + " is the VIP; the VIP moves between hosts, pick another address for this host"));
            }
        });
        if (vni < 1 || vni > MAX_VNI) {
            out.add(new Problem("vni", "VNI " + vni + " is outside 1.." + MAX_VNI));
        }
        if (port < 1 || port > 65535) {
            out.add(new Problem("port", "port " + port + " is outside 1..65535"));
        } else if (port == 8472) {
            out.add(new Problem("port", "port 8472 is flannel's VXLAN port; the overlay would collide with the CNI. Use the default " + DEFAULT_PORT));
        }
        mtu.ifPresent(m -> {
            if (m < MIN_MTU || m > MAX_MTU) {
                out.add(new Problem("mtu", "MTU " + m + " is outside " + MIN_MTU + ".." + MAX_MTU
                        + "; leave it out to use the underlay MTU minus " + VXLAN_OVERHEAD));
            }
        });
        return out;
    }

    private static void checkHost(List<Problem> out, String field, String what, Ipv4Address a, Cidr cidr) {
        if (!cidr.contains(a)) {
            out.add(new Problem(field, what + " " + a + " is outside the overlay CIDR " + cidr
                    + "; pick an address between " + cidr.firstUsable() + " and " + cidr.lastUsable()));
        } else if (!cidr.isUsableHost(a)) {
            out.add(new Problem(field, what + " " + a + " is the " + (a.equals(cidr.network()) ? "network" : "broadcast")
                    + " address of " + cidr + "; pick an address between " + cidr.firstUsable() + " and " + cidr.lastUsable()));
        }
    }
}
