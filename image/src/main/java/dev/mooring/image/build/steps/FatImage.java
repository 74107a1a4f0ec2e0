package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.Tools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A FAT file system image made with {@code mkfs.vfat} and filled with {@code mcopy}, never
 * mounted (the build host may have no vfat driver). Used for the ESP, the /oem partition and
 * NoCloud seeds. The volume id is given; mkfs.vfat's {@code --invariant} fixes its other varying
 * fields, and file times are set to SOURCE_DATE_EPOCH before copying with {@code -m}.
 */
public final class FatImage {

    private final Tools tools;
    private final long sourceDateEpoch;

    public FatImage(Tools tools, long sourceDateEpoch) {
        this.tools = tools;
        this.sourceDateEpoch = sourceDateEpoch;
    }

    /**
     * @param files path inside the image ({@code EFI/BOOT/BOOTX64.EFI}) → file to copy
     * @param fat32 FAT32 (the ESP) or let mkfs.vfat choose (small data partitions)
     */
    public void make(Path image, long sizeBytes, String label, String volumeId, boolean fat32, Map<String, Path> files)
            throws BuildException, IOException {
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(sizeBytes);
        }
        List<String> mkfs = new ArrayList<>(List.of("mkfs.vfat", "--invariant", "-i", volumeId, "-n", label));
        if (fat32) {
            mkfs.addAll(List.of("-F", "32", "-s", "1"));
        }
        mkfs.add(image.toString());
        tools.run(mkfs, "making the FAT file system " + label);
        SortedMap<String, Path> sorted = new TreeMap<>(files);
        List<String> dirs = new ArrayList<>();
        for (String target : sorted.keySet()) {
            String[] parts = target.split("/");
            StringBuilder dir = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                dir.append(i == 0 ? "" : "/").append(parts[i]);
                if (!dirs.contains(dir.toString())) {
                    dirs.add(dir.toString());
                }
            }
        }
        if (!dirs.isEmpty()) {
            List<String> mmd = new ArrayList<>(List.of("mmd", "-i", image.toString()));
            dirs.forEach(d -> mmd.add("::/" + d));
            tools.run(mmd, "making folders in " + label);
        }
        // mcopy -m takes each file's mtime; a staged copy gets the fixed one, the caller's file keeps its own.
        FileTime time = FileTime.fromMillis(sourceDateEpoch * 1000);
        Path staging = Files.createTempDirectory(image.toAbsolutePath().getParent(), ".fat-");
        try {
            int i = 0;
            for (Map.Entry<String, Path> e : sorted.entrySet()) {
                Path copy = staging.resolve(Integer.toString(i++));
                Files.copy(e.getValue(), copy);
                Files.setLastModifiedTime(copy, time);
                tools.run(List.of("mcopy", "-m", "-o", "-i", image.toString(), copy.toString(), "::/" + e.getKey()),
                        "copying " + e.getKey() + " into " + label);
                Files.delete(copy);
            }
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    /** The size a FAT file system needs for these files: their sum plus 10 % and 4 MiB, in whole MiB. */
    public static long sizeFor(Map<String, Path> files, long minimum) throws IOException {
        long sum = 0;
        for (Path p : files.values()) {
            sum += Files.size(p);
        }
        long needed = (long) (sum * 1.10) + (4L << 20);
        needed = Math.max(needed, minimum);
        return (needed + (1 << 20) - 1) & ~((1L << 20) - 1);
    }
}
