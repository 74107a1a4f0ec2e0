package dev.mooring.firstboot.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** {@link RootFiles} on a directory of this machine: {@code /} on a device, an unpacked root in tests. */
public final class DirectoryRoot implements RootFiles {

    private final Path root;

    public DirectoryRoot(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /**
     * The host path of {@code path} inside the root, with symlinks resolved the way they resolve
     * on the device: an absolute target starts again at the root ({@code /var/run -> /run},
     * merged-usr {@code /bin -> usr/bin}), and {@code ..} stops at the root, so nothing escapes it.
     */
    public Path resolve(String path) {
        return inRoot(path, true);
    }

    private Path inRoot(String path, boolean followLast) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: expected an absolute path inside the root, got '" + path + "'");
        }
        Deque<String> parts = new ArrayDeque<>(components(path));
        Path current = root;
        int links = 0;
        while (!parts.isEmpty()) {
            String name = parts.removeFirst();
            if (name.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            if ((followLast || !parts.isEmpty()) && Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new UncheckedIOException(new IOException(path + ": more than " + MAX_LINKS + " symlinks (a loop?) inside " + root));
                }
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                List<String> targetParts = components(target);
                for (int i = targetParts.size() - 1; i >= 0; i--) {
                    parts.addFirst(targetParts.get(i));
                }
                if (target.startsWith("/")) {
                    current = root;
                }
                continue;
            }
            current = next;
        }
        return current;
    }

    private static final int MAX_LINKS = 40;

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                out.add(part);
            }
        }
        return out;
    }

    @Override
    public Optional<byte[]> read(String path) {
        Path file = resolve(path);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public Optional<FileAttributes> attributes(String path) {
        Path file = inRoot(path, false);
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(new FileAttributes((Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + file, e);
        }
    }

    @Override
    public boolean isDirectory(String path) {
        return Files.isDirectory(resolve(path), LinkOption.NOFOLLOW_LINKS); // resolve followed the links inside the root
    }

    @Override
    public List<String> list(String directory) {
        Path dir = resolve(directory);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        names.sort(null);
        return names;
    }

    @Override
    public void write(String path, byte[] content, FileAttributes attributes) throws IOException {
        Path file = inRoot(path, false); // a symlink under the final name is replaced, like rename(2) does
        Path temp = file.resolveSibling("." + file.getFileName() + ".mooring-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            setAttributes(temp, attributes);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(file.getParent());
    }

    @Override
    public void makeDirectory(String path, FileAttributes attributes) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir);
            syncDirectory(dir.getParent());
        }
        setAttributes(dir, attributes);
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        Path link = inRoot(path, false);
        Path temp = link.resolveSibling("." + link.getFileName() + ".mooring-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createSymbolicLink(temp, Path.of(target));
            Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(link.getParent());
    }

    @Override
    public void delete(String path) throws IOException {
        Path file = inRoot(path, false);
        if (Files.deleteIfExists(file)) {
            syncDirectory(file.getParent());
        }
    }

    private static void setAttributes(Path file, FileAttributes a) throws IOException {
        // Owner first: chown clears the set-id bits, the mode then sets them as asked.
        Files.setAttribute(file, "unix:uid", a.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", a.gid(), LinkOption.NOFOLLOW_LINKS);
        if ((a.mode() & 07000) == 0) {
            Files.setPosixFilePermissions(file, permissions(a.mode()));
        } else {
            Files.setAttribute(file, "unix:mode", a.mode(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
