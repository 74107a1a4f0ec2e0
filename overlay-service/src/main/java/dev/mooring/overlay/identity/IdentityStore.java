package dev.mooring.overlay.identity;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host's {@link OverlayIdentity} in {@code <state-dir>/identity.json}. Every write is atomic
 * (a temporary file is written and synced, renamed over the old one, and the directory synced),
 * so a crash or power loss leaves either the old file or the new one, never a mix; files are
 * readable by root only (0600). A file that cannot be read is reported, never replaced: it holds
 * the address the rest of the cluster knows this host by.
 *
 * <p>Before the address is persisted (a derived address settles for a few announce intervals
 * first) the incarnation counter lives in {@code <state-dir>/incarnation}; {@link #create} moves
 * it into the identity.
 */
public final class IdentityStore {

    /** Where the service keeps its state unless overlay.yaml's {@code state} says otherwise. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/mooring/overlay");
    public static final String FILE_NAME = "identity.json";
    static final String INCARNATION_FILE = "incarnation";
    private static final int FORMAT = 1;
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The last step of an atomic write; a seam so a test can crash the write just before it. */
    @FunctionalInterface
    interface Rename {
        void replace(Path from, Path to) throws IOException;
    }

    private final Path directory;
    private final Rename rename;

    public IdentityStore(Path stateDirectory) {
        this(stateDirectory, (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING));
    }

    IdentityStore(Path stateDirectory, Rename rename) {
        this.directory = stateDirectory;
        this.rename = rename;
    }

    /** {@code <state-dir>/identity.json}. */
    public Path file() {
        return directory.resolve(FILE_NAME);
    }

    /** The persisted identity; empty before this host's address was first persisted. */
    public Optional<OverlayIdentity> load() throws IdentityException {
        Path file = file();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IdentityException(file, "cannot read the overlay identity " + file + ": " + e
                    + "; check the file's permissions (the service runs as root)", e);
        }
        return Optional.of(parse(file, bytes));
    }

    /** {@link #checkFixed(OverlaySettings, String)} for a configuration read from overlay.yaml. */
    public void checkFixed(OverlaySettings settings) throws IdentityException {
        checkFixed(settings, "overlay.yaml");
    }

    /**
     * Refuses settings that contradict the persisted identity (another CIDR, VIP or VNI, or a
     * static address other than this host's): the caller calls this before any kernel change.
     * Nothing to check before the identity exists.
     *
     * @param config the configuration's name for the message, e.g. its path
     * @throws IdentityException.Conflict naming every contradiction and what to do
     * @throws IdentityException          when the identity file cannot be read
     */
    public void checkFixed(OverlaySettings settings, String config) throws IdentityException {
        Optional<OverlayIdentity> identity = load();
        if (identity.isPresent()) {
            List<String> conflicts = identity.get().conflicts(settings, config);
            if (!conflicts.isEmpty()) {
                throw new IdentityException.Conflict(file(), String.join("\n", conflicts) + " (" + file() + ")");
            }
        }
    }

    /**
     * Counts this start: persists and returns an incarnation larger than any before it, in the
     * identity when it exists, in the counter file before that.
     */
    public long nextIncarnation() throws IdentityException {
        Optional<OverlayIdentity> identity = load();
        long next = Math.max(identity.map(OverlayIdentity::incarnation).orElse(0L), counter()) + 1;
        if (identity.isPresent()) {
            save(identity.get().withIncarnation(next));
            deleteCounter();
        } else {
            write(directory.resolve(INCARNATION_FILE), (next + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return next;
    }

    /**
     * Persists this host's address for good, with the settings' CIDR, VIP and VNI and the current
     * incarnation. Idempotent for the same host and address.
     *
     * @throws IllegalStateException when a different identity is already persisted
     */
    public OverlayIdentity create(String hostId, Ipv4Address overlay, OverlaySettings settings, Instant created)
            throws IdentityException {
        Optional<OverlayIdentity> existing = load();
        if (existing.isPresent()) {
            if (existing.get().hostId().equals(hostId) && existing.get().overlay().equals(overlay)) {
                return existing.get();
            }
            throw new IllegalStateException("an identity is already persisted in " + file() + ": " + existing.get());
        }
        OverlayIdentity identity = new OverlayIdentity(hostId, overlay, settings.cidr(), settings.vip(), settings.vni(),
                created, counter());
        save(identity);
        deleteCounter();
        return identity;
    }

    /** Writes {@code identity} atomically, replacing what is there. */
    public void save(OverlayIdentity identity) throws IdentityException {
        ObjectNode node = JSON.createObjectNode()
                .put("format", FORMAT)
                .put("hostId", identity.hostId())
                .put("overlay", identity.overlay().toString())
                .put("cidr", identity.cidr().toString())
                .put("vip", identity.vip().toString())
                .put("vni", identity.vni())
                .put("created", identity.created().toString())
                .put("incarnation", identity.incarnation());
        try {
            write(file(), (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // an ObjectNode of strings and numbers always serialises
        }
    }

    private void write(Path target, byte[] bytes) throws IdentityException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            Files.deleteIfExists(temp); // left by a write that crashed before its rename
            try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            rename.replace(temp, target);
            syncDirectory();
        } catch (IOException e) {
            throw new IdentityException(target, "cannot write " + target + ": " + e + "; the state directory " + directory
                    + " must be writable by the service (root) on a persistent file system", e);
        }
    }

    /** The rename is only durable once the directory entry is on disk. */
    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private long counter() throws IdentityException {
        Path file = directory.resolve(INCARNATION_FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new IdentityException(file, "cannot read the incarnation counter " + file + ": " + e, e);
        }
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the fix
        }
        throw new IdentityException(file, file + " is corrupt: expected a number of starts, found '" + abbreviate(text)
                + "'. Write a number larger than any start of this host (the current time in seconds will do), e.g."
                + " date +%s > " + file, null);
    }

    private void deleteCounter() throws IdentityException {
        Path file = directory.resolve(INCARNATION_FILE);
        try {
            if (Files.deleteIfExists(file)) {
                syncDirectory();
            }
        } catch (IOException e) {
            throw new IdentityException(file, "cannot delete " + file + " after moving its count into " + file() + ": " + e, e);
        }
    }

    private static OverlayIdentity parse(Path file, byte[] bytes) throws IdentityException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw corrupt(file, where + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw corrupt(file, file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || root.isMissingNode()) {
            throw corrupt(file, file + ": the file is empty", null);
        }
        if (!root.isObject()) {
            throw corrupt(file, file + ": expected a JSON object, found " + root.getNodeType(), null);
        }
        try {
            int format = integer(root, "format");
            if (format != FORMAT) {
                throw new IllegalArgumentException("format " + format + " is not one this version reads (" + FORMAT
                        + "); a newer Mooring wrote it: run that version");
            }
            return new OverlayIdentity(text(root, "hostId"), Ipv4Address.parse(text(root, "overlay")), Cidr.parse(text(root, "cidr")),
                    Ipv4Address.parse(text(root, "vip")), integer(root, "vni"), Instant.parse(text(root, "created")),
                    number(root, "incarnation"));
        } catch (DateTimeParseException | IllegalArgumentException e) { // InvalidAddressException included
            throw corrupt(file, file + ": " + e.getMessage(), e);
        }
    }

    private static IdentityException corrupt(Path file, String what, Exception cause) {
        return new IdentityException(file, what + ". This file holds the overlay address the cluster knows this host by,"
                + " so it is not replaced: restore it from a backup or repair it by hand. Only if this host should join"
                + " as a new member with a possibly different address, delete " + file, cause);
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is " + (node == null ? "missing" : "not a string"));
        }
        return node.asText();
    }

    private static long number(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' is " + (node == null ? "missing" : "not a whole number"));
        }
        return node.asLong();
    }

    private static int integer(JsonNode root, String field) {
        long value = number(root, field);
        if (value != (int) value) {
            throw new IllegalArgumentException("field '" + field + "' is out of range: " + value);
        }
        return (int) value;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
