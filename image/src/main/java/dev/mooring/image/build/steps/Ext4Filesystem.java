package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.ImageIdentity;
import dev.mooring.image.build.Tools;
import dev.mooring.image.spec.ImageSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 3: the root file system as an ext4 image, made with {@code mkfs.ext4 -d} from the layered
 * folder: no loop device, no mount. UUID and directory hash seed come from the spec, mke2fs's own
 * clock is SOURCE_DATE_EPOCH (E2FSPROGS_FAKE_TIME), and a debugfs pass sets every inode's change
 * time, which mke2fs 1.47.0 copies from the folder where no program can set it.
 */
public final class Ext4Filesystem {

    static final long BLOCK = 4096;

    /** What the folder needs: data blocks, inodes, and the journal and metadata on top. */
    public record Needs(long dataBytes, long inodes) {
        /**
         * The smallest file system size that holds it, with room for the journal, inode tables
         * and 10 % slack for block groups and lost+found; rounded up to 1 MiB.
         */
        public long minimumBytes() {
            long metadata = inodes * 256 + 64L * (1 << 20);
            long total = (long) (dataBytes * 1.10) + metadata;
            return (total + (1 << 20) - 1) & ~((1L << 20) - 1);
        }
    }

    private final Tools tools;

    public Ext4Filesystem(Tools tools) {
        this.tools = tools;
    }

    /** Walks the folder: each file rounded up to 4 KiB blocks, each directory one block. */
    public static Needs measure(Path root) throws IOException {
        long[] sums = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                sums[0] += BLOCK;
                sums[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                sums[0] += (attrs.size() + BLOCK - 1) / BLOCK * BLOCK;
                sums[1]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return new Needs(sums[0], sums[1]);
    }

    /** Makes {@code image} ({@code sizeBytes} long, sparse) from {@code root}. */
    public void make(ImageSpec spec, ImageIdentity id, Path root, Path image, long sizeBytes, Path work)
            throws BuildException, IOException {
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(sizeBytes);
        }
        tools.run(List.of("mkfs.ext4", "-q", "-F", "-b", "4096", "-L", ImageIdentity.ROOT_LABEL,
                "-U", id.rootFilesystem().toString(),
                "-E", "hash_seed=" + id.rootHashSeed() + ",root_owner=0:0,lazy_itable_init=0",
                "-d", root.toString(), image.toString()), "making the ext4 root file system");
        fixChangeTimes(spec, root, image, work);
    }

    /**
     * mke2fs -d copies each file's ctime, which is the time the build wrote it, and each
     * directory's atime, which any walk of the tree (find, the size measurement) moves to now.
     * debugfs sets them to SOURCE_DATE_EPOCH, one command per path, in one run.
     */
    private void fixChangeTimes(ImageSpec spec, Path root, Path image, Path work) throws BuildException, IOException {
        String when = "@" + spec.sourceDateEpoch();
        List<String> commands = new ArrayList<>();
        commands.add("set_inode_field / ctime " + when);
        commands.add("set_inode_field / atime " + when);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    add(dir);
                    commands.add("set_inode_field " + quote("/" + root.relativize(dir)) + " atime " + when);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path p) {
                String inImage = "/" + root.relativize(p).toString();
                commands.add("set_inode_field " + quote(inImage) + " ctime " + when);
            }
        });
        commands.add("set_inode_field /lost+found ctime " + when);
        commands.add("set_inode_field /lost+found atime " + when);
        Path script = work.resolve("ctime.debugfs");
        Files.write(script, commands, StandardCharsets.UTF_8);
        Tools.Result result = tools.run(List.of("debugfs", "-w", "-f", script.toString(), image.toString()),
                "setting change times in the root file system");
        // debugfs goes on after a failed command; a path it could not set must not pass unnoticed.
        List<String> failed = result.output().lines()
                .filter(l -> l.contains("File not found") || l.contains("Couldn't") || l.contains("usage:")).limit(3).toList();
        if (!failed.isEmpty()) {
            throw new BuildException("debugfs could not set change times: " + String.join("; ", failed),
                    "a file name in the root file system may contain characters debugfs cannot quote; report it");
        }
        Files.deleteIfExists(script);
    }

    /** debugfs (libss) takes a double-quoted argument literally, backslashes included; "" is one quote. */
    static String quote(String path) {
        return "\"" + path.replace("\"", "\"\"") + "\"";
    }
}
