package dev.mooring.overlay.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kernel state of one lab namespace as iproute2 reports it ({@code ip -json}, {@code bridge
 * -json}), in the plain strings tests compare against: independent of the code under test.
 */
record Iproute2Oracle(NetnsLab lab, String namespace) {

    JsonNode link(String name) throws IOException {
        JsonNode links = lab.json(namespace, "ip", "-json", "-details", "link", "show", "dev", name);
        return links.get(0);
    }

    /** Every link as {@code name/kind/mtu/up/master}, e.g. {@code mr-vx/vxlan/1450/down/mr-br}. */
    Set<String> links() throws IOException {
        Set<String> out = new TreeSet<>();
        for (JsonNode link : lab.json(namespace, "ip", "-json", "-details", "link", "show")) {
            boolean up = false;
            for (JsonNode flag : link.path("flags")) {
                up |= flag.asText().equals("UP");
            }
            out.add(link.get("ifname").asText() + "/" + link.path("linkinfo").path("info_kind").asText("") + "/"
                    + link.get("mtu").asInt() + "/" + (up ? "up" : "down") + "/" + link.path("master").asText(""));
        }
        return out;
    }

    /** IPv4 addresses as {@code dev:address/prefix}. */
    Set<String> addresses() throws IOException {
        Set<String> out = new TreeSet<>();
        for (JsonNode link : lab.json(namespace, "ip", "-json", "-4", "address", "show")) {
            for (JsonNode info : link.path("addr_info")) {
                out.add(link.get("ifname").asText() + ":" + info.get("local").asText() + "/" + info.get("prefixlen").asInt());
            }
        }
        return out;
    }

    /** The broadcast address iproute2 shows for {@code address} on {@code device}. */
    String broadcastOf(String device, String address) throws IOException {
        for (JsonNode link : lab.json(namespace, "ip", "-json", "-4", "address", "show", "dev", device)) {
            for (JsonNode info : link.path("addr_info")) {
                if (info.get("local").asText().equals(address)) {
                    return info.path("broadcast").asText("");
                }
            }
        }
        return "";
    }

    /** FDB entries with a destination on {@code device}, as {@code mac>dst}. */
    Set<String> fdb(String device) throws IOException {
        Set<String> out = new TreeSet<>();
        for (JsonNode entry : lab.json(namespace, "bridge", "-json", "fdb", "show", "dev", device)) {
            if (entry.has("dst")) {
                out.add(entry.get("mac").asText() + ">" + entry.get("dst").asText());
            }
        }
        return out;
    }

    /** Permanent IPv4 neighbours as {@code dev:ip=mac}. */
    Set<String> permanentNeighbours() throws IOException {
        Set<String> out = new TreeSet<>();
        for (JsonNode entry : lab.json(namespace, "ip", "-json", "-4", "neigh", "show", "nud", "permanent")) {
            out.add(entry.get("dev").asText() + ":" + entry.get("dst").asText() + "=" + entry.path("lladdr").asText(""));
        }
        return out;
    }

    /** Main-table IPv4 routes as {@code dst via gw dev}. */
    List<String> routes() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode route : lab.json(namespace, "ip", "-json", "-4", "route", "show", "table", "main")) {
            out.add(route.get("dst").asText() + " via " + route.path("gateway").asText("-") + " dev " + route.path("dev").asText("-"));
        }
        out.sort(null);
        return out;
    }

    /** Everything above in one string, to compare "before" and "after". */
    String snapshot() throws IOException {
        StringBuilder all = new StringBuilder().append(links()).append('\n').append(addresses()).append('\n')
                .append(permanentNeighbours()).append('\n').append(routes()).append('\n');
        for (JsonNode link : lab.json(namespace, "ip", "-json", "link", "show")) {
            all.append(link.get("ifname").asText()).append(' ').append(link.path("address").asText()).append('\n');
        }
        for (JsonNode entry : lab.json(namespace, "bridge", "-json", "fdb", "show")) {
            all.append(entry.path("mac").asText()).append(' ').append(entry.path("ifname").asText())
                    .append(' ').append(entry.path("dst").asText()).append('\n');
        }
        return all.toString();
    }
}
