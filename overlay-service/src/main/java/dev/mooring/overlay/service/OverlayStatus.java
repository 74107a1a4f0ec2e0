package dev.mooring.overlay.service;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The overlay service's status file ({@code /run/mooring/overlay.json}), read by {@code mooring
 * overlay status} and by k8s-bootstrap. Written atomically (temporary file, fsync, rename), so a
 * reader sees the old or the new content, never a mix. {@code version} changes only when a field
 * is removed or changes meaning.
 *
 * @param state {@code ready} (the last pass reached the desired state), {@code degraded} (the last
 *              pass failed; {@code reconcile.lastError} says why) or {@code stopped} (the service
 *              exited; the overlay was left as it was)
 */
public record OverlayStatus(int version, String state, String host, String role, Overlay overlay,
                            Underlay underlay, List<PeerStatus> peers, Reconcile reconcile) {

    public static final int VERSION = 1;

    /**
     * This host's overlay: the bridge and its address, the VXLAN port's parameters.
     *
     * @param vip the configured VIP; whether this host holds it is not part of this version
     */
    public record Overlay(String address, int prefixLength, String cidr, String mac, String vip, int mtu,
                          String bridge, String vxlan, int vni, int port) {}

    /** The underlay interface in use and its IPv4 addresses at the last pass. */
    public record Underlay(String device, List<String> addresses, int mtu) {}

    /** A peer as programmed into the forwarding table. */
    public record PeerStatus(String host, String overlay, String underlay, String mac) {}

    /**
     * @param last           when the last pass ended (ISO-8601, UTC)
     * @param passes         passes since the service started
     * @param changesApplied kernel changes applied since the service started
     * @param lastChanges    changes the last pass applied (0 when the kernel was already right)
     * @param lastError      why the last pass failed, null when it did not
     */
    public record Reconcile(String last, long passes, long changesApplied, int lastChanges, String lastError) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("status is always serialisable", e);
        }
    }

    /** Reads a status file; fields a newer writer added are ignored. */
    public static OverlayStatus read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return JSON.readValue(in, OverlayStatus.class);
        }
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
        out.append("host:      ").append(host).append(" (").append(role).append(")\n");
        out.append("overlay:   ").append(overlay.address()).append('/').append(overlay.prefixLength())
                .append(" on ").append(overlay.bridge()).append(" (mac ").append(overlay.mac()).append(", mtu ")
                .append(overlay.mtu()).append(")\n");
        out.append("vip:       ").append(overlay.vip()).append(" (configured)\n");
        out.append("vxlan:     ").append(overlay.vxlan()).append(" vni ").append(overlay.vni()).append(" port ")
                .append(overlay.port()).append(" via ").append(underlay.device()).append(' ')
                .append(underlay.addresses().isEmpty() ? "(no IPv4 address)" : String.join(", ", underlay.addresses()))
                .append('\n');
        out.append("peers:     ").append(peers.size()).append('\n');
        for (PeerStatus p : peers) {
            out.append("  ").append(p.host()).append("  ").append(p.overlay()).append(" -> ").append(p.underlay()).append('\n');
        }
        out.append("reconcile: last ").append(reconcile.last()).append(", ").append(reconcile.passes())
                .append(" passes, ").append(reconcile.changesApplied()).append(" changes applied")
                .append(reconcile.lastError() == null ? "" : "\n  last error: " + reconcile.lastError()).append('\n');
        return out.toString();
    }

    /** The same status in another state. */
    public OverlayStatus withState(String newState) {
        return new OverlayStatus(version, newState, host, role, overlay, underlay, peers, reconcile);
    }
}
