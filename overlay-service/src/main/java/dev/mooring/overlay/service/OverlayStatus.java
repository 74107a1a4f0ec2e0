package dev.mooring.overlay.service;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The overlay service's status file ({@code /run/mooring/overlay.json}), read by {@code mooring
 * overlay status} and by k8s-bootstrap. Written atomically (temporary file, fsync, rename), so a
 * reader sees the old or the new content, never a mix. {@code version} changes only when a field
 * is removed or changes meaning; version 2 added the cluster, the identity, the VIP holder,
 * discovery and its members, and the metrics URL.
 *
 * @param state       {@code ready} (the last pass reached the desired state), {@code degraded} (the
 *                    last pass failed; {@code reconcile.lastError} says why) or {@code stopped} (the
 *                    service exited; the overlay was left as it was)
 * @param hostId      the id announcements carry (host.id, else the machine id)
 * @param incarnation this start's number; grows at every start
 * @param peers       the hosts programmed into the forwarding table (members and static peers)
 * @param members     the hosts discovery knows, with their state; empty without discovery
 * @param metrics     the Prometheus endpoint's URL, null when it is off or could not listen
 */
public record OverlayStatus(int version, String state, String cluster, String host, String hostId, String role,
                            long incarnation, Overlay overlay, Underlay underlay, Vip vip, Discovery discovery,
                            List<PeerStatus> peers, List<MemberStatus> members, Reconcile reconcile, String metrics) {

    public static final int VERSION = 2;

    /**
     * This host's overlay: the bridge and its address, the VXLAN port's parameters.
     *
     * @param addressSource where the address came from: {@code static} (overlay.address),
     *                      {@code derived} (from the host id, this start) or {@code persisted}
     *                      (the identity file)
     * @param vip           the configured VIP (see {@link Vip} for who holds it)
     */
    public record Overlay(String address, String addressSource, int prefixLength, String cidr, String mac, String vip,
                          int mtu, String bridge, String vxlan, int vni, int port) {}

    /** The underlay interface in use and its IPv4 addresses at the last pass. */
    public record Underlay(String device, List<String> addresses, int mtu) {}

    /**
     * The control-plane VIP.
     *
     * @param elected   false when no election runs here (no discovery): the VIP is left alone
     * @param holder    the name of the host that holds it as this host sees it, null for nobody
     * @param held      this host holds it now
     * @param heldSince when this host took it, null while it does not hold it
     */
    public record Vip(String address, boolean elected, String holder, String holderId, boolean held, String heldSince) {}

    /**
     * Discovery and its security counters.
     *
     * @param accepted announcements accepted from other hosts
     * @param dropped  datagrams dropped, by reason (malformed, oversized, bad-hmac, replayed,
     *                 foreign-cluster, stale, self)
     */
    public record Discovery(boolean enabled, int port, long intervalMillis, long accepted, Map<String, Long> dropped) {}

    /** A peer as programmed into the forwarding table. */
    public record PeerStatus(String host, String overlay, String underlay, String mac) {}

    /**
     * A host discovery knows.
     *
     * @param state     {@code alive}, {@code suspect} or {@code dead} (dead hosts keep their entries)
     * @param lastHeard when its last announcement was accepted (ISO-8601, UTC)
     */
    public record MemberStatus(String hostId, String host, String overlay, String underlay, String mac, String role,
                               String state, String lastHeard, long incarnation, boolean tentative,
                               boolean vipEligible, boolean vipHolder) {}

    /**
     * @param last           when the last pass ended (ISO-8601, UTC)
     * @param passes         passes since the service started
     * @param changesApplied kernel changes applied since the service started
     * @param lastChanges    changes the last pass applied (0 when the kernel was already right)
     * @param lastError      why the last pass failed, null when it did not
     */
    public record Reconcile(String last, long passes, long changesApplied, int lastChanges, String lastError) {}

    /** Only readers need Jackson: the service writes with {@link StatusJson}, so its start does not build a mapper. */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The file's text: Jackson's pretty-printed form of this record, and a newline. */
    public String toJson() {
        return StatusJson.write(this);
    }

    /** Reads a status file; fields a newer writer added are ignored. */
    public static OverlayStatus read(Path file) throws IOException {
        return parse(file, Files.readString(file));
    }

    /** Parses the status file's {@code text} (read from {@code file}, named in errors). */
    public static OverlayStatus parse(Path file, String text) throws IOException {
        com.fasterxml.jackson.databind.JsonNode tree = Reader.JSON.readTree(text);
        // A file from another version has other fields; say so instead of printing half of it.
        int version = tree == null ? 0 : tree.path("version").asInt(0);
        if (version != VERSION) {
            throw new IOException(file + " is a version " + version + " status file; this mooring reads version "
                    + VERSION + ": restart mooring-overlay (it rewrites the file) or use the mooring that wrote it");
        }
        return Reader.JSON.treeToValue(tree, OverlayStatus.class);
    }

    /** Writes {@code file} atomically, creating its directory. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Readable by all, like the rest of /run/mooring: `mooring overlay status` needs no root.
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(java.nio.ByteBuffer.wrap(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A few lines for a person ({@code mooring overlay status}). */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("state:     ").append(state).append('\n');
        out.append("host:      ").append(host).append(" (").append(role).append(", id ").append(hostId)
                .append(", cluster ").append(cluster).append(", incarnation ").append(incarnation).append(")\n");
        out.append("overlay:   ").append(overlay.address()).append('/').append(overlay.prefixLength())
                .append(" on ").append(overlay.bridge()).append(" (").append(overlay.addressSource()).append(", mac ")
                .append(overlay.mac()).append(", mtu ").append(overlay.mtu()).append(")\n");
        out.append("vip:       ").append(vip.address()).append(!vip.elected() ? " (configured; no election without discovery)"
                : vip.held() ? " held here since " + vip.heldSince()
                : vip.holder() == null ? " held by nobody" : " held by " + vip.holder()).append('\n');
        out.append("vxlan:     ").append(overlay.vxlan()).append(" vni ").append(overlay.vni()).append(" port ")
                .append(overlay.port()).append(" via ").append(underlay.device()).append(' ')
                .append(underlay.addresses().isEmpty() ? "(no IPv4 address)" : String.join(", ", underlay.addresses()))
                .append('\n');
        if (discovery.enabled()) {
            long dropped = discovery.dropped().values().stream().mapToLong(Long::longValue).sum();
            out.append("discovery: udp ").append(discovery.port()).append(" every ").append(discovery.intervalMillis())
                    .append(" ms, ").append(discovery.accepted()).append(" accepted, ").append(dropped).append(" dropped");
            discovery.dropped().forEach((reason, n) -> {
                if (n > 0) {
                    out.append(" (").append(reason).append(' ').append(n).append(')');
                }
            });
            out.append('\n');
            out.append("members:   ").append(members.size()).append('\n');
            for (MemberStatus m : members) {
                out.append("  ").append(m.host()).append("  ").append(m.overlay()).append(" -> ").append(m.underlay())
                        .append("  ").append(m.state()).append(m.vipHolder() ? "  (VIP)" : "").append('\n');
            }
        } else {
            out.append("discovery: off\n");
        }
        out.append("peers:     ").append(peers.size()).append('\n');
        for (PeerStatus p : peers) {
            out.append("  ").append(p.host()).append("  ").append(p.overlay()).append(" -> ").append(p.underlay()).append('\n');
        }
        out.append("reconcile: last ").append(reconcile.last()).append(", ").append(reconcile.passes())
                .append(" passes, ").append(reconcile.changesApplied()).append(" changes applied")
                .append(reconcile.lastError() == null ? "" : "\n  last error: " + reconcile.lastError()).append('\n');
        if (metrics != null) {
            out.append("metrics:   ").append(metrics).append('\n');
        }
        return out.toString();
    }

    /** The same status in another state. */
    public OverlayStatus withState(String newState) {
        return new OverlayStatus(version, newState, cluster, host, hostId, role, incarnation, overlay, underlay, vip,
                discovery, peers, members, reconcile, metrics);
    }

    /** The same status after a failed pass. */
    public OverlayStatus degraded(Reconcile failed) {
        return new OverlayStatus(version, "degraded", cluster, host, hostId, role, incarnation, overlay, underlay, vip,
                discovery, peers, members, failed, metrics);
    }
}
