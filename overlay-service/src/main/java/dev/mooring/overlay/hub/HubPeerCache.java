package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The hub's last peer list in the state directory, so a service restarted while the hub is down
 * still forwards to the hosts only the hub named. Written whole (temporary file, fsync, rename);
 * a file that cannot be read is ignored (the next answer of the hub rewrites it).
 */
final class HubPeerCache {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Entry(String hostId, String hostname, String role, String overlay, List<String> underlay, String lastSeen) {}

    private HubPeerCache() {}

    static Optional<List<HubPeer>> read(Path file, Consumer<String> log) {
        try {
            List<Entry> entries = JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
            return Optional.of(entries.stream().map(e -> new HubPeer(e.hostId(), e.hostname(), e.role(),
                    Ipv4Address.parse(e.overlay()), e.underlay().stream().map(Ipv4Address::parse).toList(),
                    Instant.parse(e.lastSeen()))).toList());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            if (Files.exists(file)) {
                log.accept("hub: ignoring the saved peer list " + file + " (" + e.getMessage() + "); the hub's next answer replaces it");
            }
            return Optional.empty();
        }
    }

    static void write(Path file, List<HubPeer> peers, Consumer<String> log) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            List<Entry> entries = peers.stream().map(p -> new Entry(p.hostId(), p.hostname(), p.role(), p.overlay().toString(),
                    p.underlay().stream().map(Ipv4Address::toString).toList(), p.lastSeen().toString())).toList();
            Files.write(temp, JSON.writeValueAsBytes(entries));
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.accept("hub: cannot save the peer list to " + file + ": " + e.getMessage());
        }
    }
}
