package dev.mooring.overlay.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import java.io.IOException;
import java.io.StringWriter;
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
import java.util.Map;
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
 *
 * <p>The file is written with Jackson's streaming generator, not an ObjectMapper (building a mapper
 * took a good part of the service's way to READY), and read by {@link FlatJson}, which checks it
 * against JSON's grammar without a Jackson parser (see there why). The file is as the mapper wrote
 * it, and reads as the mapper's tree read it ({@code IdentityStoreProperties} compares them).
 */
public final class IdentityStore {

    /** Where the service keeps its state unless overlay.yaml's {@code state} says otherwise. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/mooring/overlay");
    public static final String FILE_NAME = "identity.json";
    static final String INCARNATION_FILE = "incarnation";
    private static final int FORMAT = 1;
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final JsonFactory JSON = new JsonFactory();

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
    public Optional<OverlayIdentity> checkFixed(OverlaySettings settings) throws IdentityException {
        return checkFixed(settings, "overlay.yaml");
    }

    /**
     * Refuses settings that contradict the persisted identity (another CIDR, VIP or VNI, or a
     * static address other than this host's): the caller calls this before any kernel change.
     * Nothing to check before the identity exists.
     *
     * @param config the configuration's name for the message, e.g. its path
     * @return the identity it checked against (as {@link #load}), so a start reads the file once
     * @throws IdentityException.Conflict naming every contradiction and what to do
     * @throws IdentityException          when the identity file cannot be read
     */
    public Optional<OverlayIdentity> checkFixed(OverlaySettings settings, String config) throws IdentityException {
        Optional<OverlayIdentity> identity = load();
        if (identity.isPresent()) {
            List<String> conflicts = identity.get().conflicts(settings, config);
            if (!conflicts.isEmpty()) {
                throw new IdentityException.Conflict(file(), String.join("\n", conflicts) + " (" + file() + ")");
            }
        }
        return identity;
    }

    /**
     * Counts this start: persists and returns an incarnation larger than any before it, in the
     * identity when it exists, in the counter file before that.
     */
    public long nextIncarnation() throws IdentityException {
        return nextIncarnation(load());
    }

    /** {@link #nextIncarnation()} with the identity the caller has just {@linkplain #load loaded}. */
    public long nextIncarnation(Optional<OverlayIdentity> identity) throws IdentityException {
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
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeNumberField("format", FORMAT);
            json.writeStringField("hostId", identity.hostId());
            json.writeStringField("overlay", identity.overlay().toString());
            json.writeStringField("cidr", identity.cidr().toString());
            json.writeStringField("vip", identity.vip().toString());
            json.writeNumberField("vni", identity.vni());
            json.writeStringField("created", identity.created().toString());
            json.writeNumberField("incarnation", identity.incarnation());
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does no I/O
        }
        write(file(), (out + "\n").getBytes(StandardCharsets.UTF_8));
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
        Map<String, Object> root;
        try {
            root = FlatJson.fields(bytes);
        } catch (FlatJson.SyntaxException e) {
            throw corrupt(file, file + ":" + e.line() + ":" + e.column() + ": not valid JSON (" + e.getMessage() + ")", e);
        } catch (FlatJson.NotAnObjectException e) {
            throw corrupt(file, file + ": " + e.getMessage(), e);
        }
        if (root == null) {
            throw corrupt(file, file + ": the file is empty", null);
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

    private static String text(Map<String, Object> root, String field) {
        Object value = root.get(field);
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("field '" + field + "' is " + (value == null ? "missing" : "not a string"));
        }
        return text;
    }

    private static long number(Map<String, Object> root, String field) {
        Object value = root.get(field);
        if (!(value instanceof Long number)) {
            throw new IllegalArgumentException("field '" + field + "' is " + (value == null ? "missing" : "not a whole number"));
        }
        return number;
    }

    private static int integer(Map<String, Object> root, String field) {
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
