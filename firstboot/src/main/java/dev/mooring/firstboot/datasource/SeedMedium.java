package dev.mooring.firstboot.datasource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A NoCloud seed on a medium: a directory (tests, an unpacked seed), or a vfat or iso9660
 * filesystem in an image file or on a block device. Filesystems are read without mounting: vfat
 * with mtools' {@code mcopy}, iso9660 with {@code xorriso -osirrox}, so it works without the
 * kernel's vfat driver and leaves no mount behind.
 */
public sealed interface SeedMedium {

    List<String> NAMES = List.of(Seed.USER_DATA, Seed.META_DATA, Seed.NETWORK_CONFIG);

    /** The seed's files that exist (user-data, meta-data, network-config). */
    Map<String, byte[]> read() throws DatasourceException;

    String describe();

    /** A directory with the seed files. */
    record Directory(Path dir) implements SeedMedium {
        @Override
        public Map<String, byte[]> read() throws DatasourceException {
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (String name : NAMES) {
                Path file = dir.resolve(name);
                try {
                    if (Files.isRegularFile(file)) {
                        out.put(name, Files.readAllBytes(file));
                    }
                } catch (IOException e) {
                    throw new DatasourceException("cannot read " + file + ": " + e.getMessage(), e);
                }
            }
            return out;
        }

        @Override
        public String describe() {
            return dir.toString();
        }
    }

    /** A FAT filesystem (image file or device), read with mcopy. */
    record Vfat(Path image) implements SeedMedium {
        @Override
        public Map<String, byte[]> read() throws DatasourceException {
            return extract(image, (name, target) -> List.of("mcopy", "-n", "-i", image.toString(), "::" + name, target.toString()));
        }

        @Override
        public String describe() {
            return image + " (vfat)";
        }
    }

    /** An ISO 9660 filesystem (image file or device), read with xorriso. */
    record Iso9660(Path image) implements SeedMedium {
        @Override
        public Map<String, byte[]> read() throws DatasourceException {
            return extract(image, (name, target) -> List.of("xorriso", "-osirrox", "on", "-indev", image.toString(),
                    "-extract", "/" + name, target.toString()));
        }

        @Override
        public String describe() {
            return image + " (iso9660)";
        }
    }

    /** A directory for a path, else the filesystem its first bytes show; an error for anything else. */
    static SeedMedium of(Path path) throws DatasourceException {
        if (Files.isDirectory(path)) {
            return new Directory(path);
        }
        if (!Files.exists(path)) {
            throw new DatasourceException("the seed " + path + " does not exist; give a directory with user-data and meta-data, or a CIDATA image");
        }
        return switch (FilesystemType.probe(path)) {
            case VFAT -> new Vfat(path);
            case ISO9660 -> new Iso9660(path);
            case UNKNOWN -> throw new DatasourceException("the seed " + path + " is neither a directory nor a vfat or iso9660 filesystem;"
                    + " make one with: mkfs.vfat -n CIDATA seed.img && mcopy -i seed.img user-data meta-data ::");
        };
    }

    private static Map<String, byte[]> extract(Path image, java.util.function.BiFunction<String, Path, List<String>> command)
            throws DatasourceException {
        Path temp = null;
        try {
            temp = Files.createTempDirectory("mooring-seed");
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (String name : NAMES) {
                Path target = temp.resolve(name);
                Process p = new ProcessBuilder(command.apply(name, target)).redirectErrorStream(true).start();
                byte[] output = p.getInputStream().readAllBytes();
                int exit = p.waitFor();
                if (exit == 0 && Files.isRegularFile(target)) {
                    out.put(name, Files.readAllBytes(target));
                } else if (name.equals(Seed.USER_DATA) && !new String(output).toLowerCase().contains("not found")
                        && !new String(output).toLowerCase().contains("cannot find")) {
                    throw new DatasourceException("cannot read " + image + ": " + command.apply(name, target).getFirst() + " exited " + exit + ": "
                            + new String(output).strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new DatasourceException("cannot read " + image + ": " + e.getMessage() + " (are mtools and xorriso installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasourceException("interrupted while reading " + image, e);
        } finally {
            if (temp != null) {
                try (Stream<Path> files = Files.walk(temp)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // A temp dir left behind is harmless.
                }
            }
        }
    }

    /** The filesystem in an image, from its magic numbers. */
    enum FilesystemType {
        VFAT, ISO9660, UNKNOWN;

        static FilesystemType probe(Path path) throws DatasourceException {
            byte[] head = new byte[32774];
            int n;
            try (var in = Files.newInputStream(path)) {
                n = in.readNBytes(head, 0, head.length);
            } catch (IOException e) {
                throw new DatasourceException("cannot read " + path + ": " + e.getMessage(), e);
            }
            if (n >= 32774 && new String(head, 32769, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("CD001")) {
                return ISO9660;
            }
            boolean bootSignature = n >= 512 && (head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xaa;
            String fat16 = n >= 62 ? new String(head, 54, 5, java.nio.charset.StandardCharsets.US_ASCII) : "";
            String fat32 = n >= 90 ? new String(head, 82, 5, java.nio.charset.StandardCharsets.US_ASCII) : "";
            return bootSignature && (fat16.startsWith("FAT") || fat32.startsWith("FAT")) ? VFAT : UNKNOWN;
        }
    }
}
