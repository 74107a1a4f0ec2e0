package dev.mooring.k8s.apply;

import dev.mooring.k8s.render.Rendered;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts rendered files on disk under a root directory ({@code /} on a device, an image's root or a
 * test's temporary directory elsewhere). A file whose content and mode are already right is not
 * touched (its mtime stays), so a re-run with the same input changes nothing. Every write is a
 * temporary file in the target's directory, fsync, rename over the target, fsync of the directory:
 * a reader (or a power cut) sees the old file or the new one, never a part.
 */
public final class FileTree {

    /** What happened to one path. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    public record Change(Path path, Outcome outcome) {
        @Override
        public String toString() {
            return outcome.name().toLowerCase() + " " + path;
        }
    }

    private final Path root;

    public FileTree(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** Where {@code path} (absolute, as rendered) lives under the root. */
    public Path resolve(Path path) {
        return root.resolve(path.toString().substring(1));
    }

    /** Applies every rendered item in order; returns what happened to each. */
    public List<Change> apply(List<Rendered> items) throws IOException {
        List<Change> changes = new ArrayList<>();
        for (Rendered item : items) {
            changes.add(switch (item) {
                case Rendered.File f -> new Change(f.path(), write(f));
                case Rendered.Link l -> new Change(l.path(), link(l));
            });
        }
        return changes;
    }

    private Outcome write(Rendered.File f) throws IOException {
        Path target = resolve(f.path());
        byte[] content = f.content().getBytes(StandardCharsets.UTF_8);
        Set<PosixFilePermission> mode = permissions(f.mode());
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (exists && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                && Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS).equals(mode)
                && Arrays.equals(Files.readAllBytes(target), content)) {
            return Outcome.UNCHANGED;
        }
        Path dir = directory(target);
        Path temp = dir.resolve("." + target.getFileName() + ".mooring-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            // Created with the final mode: a token never sits in a world-readable file, even briefly.
            try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(mode))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            // The umask may have taken bits away at creation.
            Files.setPosixFilePermissions(temp, mode);
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
        return exists ? Outcome.UPDATED : Outcome.CREATED;
    }

    private Outcome link(Rendered.Link l) throws IOException {
        Path target = resolve(l.path());
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (exists && Files.isSymbolicLink(target) && Files.readSymbolicLink(target).equals(l.target())) {
            return Outcome.UNCHANGED;
        }
        Path dir = directory(target);
        Path temp = dir.resolve("." + target.getFileName() + ".mooring-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createSymbolicLink(temp, l.target());
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
        return exists ? Outcome.UPDATED : Outcome.CREATED;
    }

    private static Path directory(Path target) throws IOException {
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(permissions(0755)));
        }
        return dir;
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
        }
    }

    /** fsync of the directory, so the rename itself survives a power cut. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }
}
