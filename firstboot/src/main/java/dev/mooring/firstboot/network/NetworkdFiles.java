package dev.mooring.firstboot.network;

import dev.mooring.firstboot.network.Ethernet.Match;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders network-config v2 ethernets as systemd-networkd files. The names start with
 * {@code 10-mooring-}, so they sort before the image's default {@code 90-mooring-dhcp.network}
 * (networkd uses the first file that matches an interface). A {@code set-name} becomes a
 * {@code .link} file, which udev applies when the NIC appears.
 */
public final class NetworkdFiles {

    private NetworkdFiles() {
    }

    /** File name (under /etc/systemd/network) → content, in the document's order. */
    public static Map<String, String> render(NetworkConfig config) {
        Map<String, String> files = new LinkedHashMap<>();
        for (Ethernet e : config.ethernets()) {
            String base = "10-mooring-" + e.id().replaceAll("[^A-Za-z0-9_.-]", "_");
            e.setName().ifPresent(name -> files.put(base + ".link", link(e.match().orElseThrow(), name)));
            files.put(base + ".network", network(e));
        }
        return files;
    }

    private static String link(Match match, String name) {
        StringBuilder out = new StringBuilder(HEADER).append("[Match]\n");
        match.macAddress().ifPresent(mac -> out.append("MACAddress=").append(mac).append('\n'));
        match.name().ifPresent(glob -> out.append("OriginalName=").append(glob).append('\n'));
        return out.append("\n[Link]\nName=").append(name).append('\n').toString();
    }

    private static String network(Ethernet e) {
        StringBuilder out = new StringBuilder(HEADER).append("[Match]\n");
        if (e.setName().isPresent()) {
            out.append("Name=").append(e.setName().get()).append('\n');
        } else if (e.match().isPresent()) {
            e.match().get().name().ifPresent(glob -> out.append("Name=").append(glob).append('\n'));
            e.match().get().macAddress().ifPresent(mac -> out.append("MACAddress=").append(mac).append('\n'));
        } else {
            out.append("Name=").append(e.id()).append('\n');
        }
        e.mtu().ifPresent(mtu -> out.append("\n[Link]\nMTUBytes=").append(mtu).append('\n'));
        out.append("\n[Network]\nDHCP=").append(e.dhcp4() ? "ipv4" : "no").append('\n');
        e.addresses().forEach(a -> out.append("Address=").append(a).append('\n'));
        e.gateway4().ifPresent(g -> out.append("Gateway=").append(g).append('\n'));
        e.nameservers().addresses().forEach(a -> out.append("DNS=").append(a).append('\n'));
        if (!e.nameservers().search().isEmpty()) {
            out.append("Domains=").append(String.join(" ", e.nameservers().search())).append('\n');
        }
        for (StaticRoute r : e.routes()) {
            out.append("\n[Route]\nDestination=").append(r.to()).append('\n');
            r.via().ifPresent(v -> out.append("Gateway=").append(v).append('\n'));
            r.metric().ifPresent(m -> out.append("Metric=").append(m).append('\n'));
        }
        return out.toString();
    }

    private static final String HEADER = "# Written by mooring firstboot from the network-config; see docs/firstboot.md.\n";
}
