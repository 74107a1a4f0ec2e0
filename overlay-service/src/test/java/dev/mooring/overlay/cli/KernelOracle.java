package dev.mooring.overlay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The kernel state of a namespace as iproute2 reports it ({@code ip -json}, {@code bridge -json}):
 * an independent view of what the service did, one sorted line per link, IPv4 address, route,
 * VXLAN FDB entry and permanent neighbour. Interface indexes are included, so a device that was
 * recreated shows up as a difference even when it looks the same.
 */
final class KernelOracle {

    private KernelOracle() {}

    static List<String> snapshot(NetnsLab lab, String namespace) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode link : lab.json(namespace, "ip", "-json", "-d", "link", "show")) {
            JsonNode info = link.path("linkinfo").path("info_data");
            String kind = link.path("linkinfo").path("info_kind").asText("-");
            out.add("link " + link.path("ifname").asText() + " #" + link.path("ifindex").asInt()
                    + " mtu " + link.path("mtu").asInt() + " " + texts(link.path("flags"))
                    + " master " + link.path("master").asText("-") + " mac " + link.path("address").asText()
                    + " kind " + kind
                    + (kind.equals("vxlan") ? " id " + info.path("id").asInt() + " port " + info.path("port").asInt()
                    + " dev " + info.path("link").asText("-") + " learning " + info.path("learning").asBoolean()
                    + " local " + info.path("local").asText("-") : ""));
        }
        for (JsonNode link : lab.json(namespace, "ip", "-json", "-4", "address", "show")) {
            for (JsonNode a : link.path("addr_info")) {
                out.add("address " + link.path("ifname").asText() + " " + a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        for (JsonNode r : lab.json(namespace, "ip", "-json", "-4", "route", "show")) {
            out.add("route " + r.path("dst").asText() + " dev " + r.path("dev").asText() + " via " + r.path("gateway").asText("-")
                    + " " + texts(r.path("flags")));
        }
        if (out.stream().anyMatch(l -> l.startsWith("link mooring-vx "))) {
            for (JsonNode f : lab.json(namespace, "bridge", "-json", "fdb", "show", "dev", "mooring-vx")) {
                if (f.has("dst")) {
                    out.add("fdb mooring-vx " + f.path("mac").asText() + " dst " + f.path("dst").asText() + " "
                            + texts(f.path("flags")) + " " + f.path("state").asText());
                }
            }
        }
        for (JsonNode n : lab.json(namespace, "ip", "-json", "-4", "neigh", "show", "nud", "permanent")) {
            out.add("neigh " + n.path("dev").asText() + " " + n.path("dst").asText() + " " + n.path("lladdr").asText());
        }
        return out.stream().sorted().toList();
    }

    /** The lines of {@code snapshot} that start with {@code prefix}. */
    static List<String> lines(List<String> snapshot, String prefix) {
        return snapshot.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    private static String texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).sorted()
                .collect(Collectors.joining(",", "[", "]"));
    }
}
