package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.ImageIdentity;
import dev.mooring.image.build.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 7: a live, hybrid ISO of the same system. The root folder becomes /live/root.squashfs
 * (zstd); the El Torito EFI image is a FAT image holding a UKI whose initramfs mounts that
 * squashfs under a tmpfs overlay ({@code boot=mooringlive}); /oem on the ISO holds the user-data.
 * The same EFI image is appended as a GPT partition, so the ISO also boots from a USB stick.
 */
public final class LiveIso {

    private final Tools tools;
    private final long sourceDateEpoch;

    public LiveIso(Tools tools, long sourceDateEpoch) {
        this.tools = tools;
        this.sourceDateEpoch = sourceDateEpoch;
    }

    /** The squashfs of the root folder. mksquashfs keeps each file's own (already clamped) time. */
    public void squash(Path root, Path squashfs) throws BuildException, IOException {
        Files.deleteIfExists(squashfs);
        Files.createDirectories(squashfs.getParent());
        // Without SOURCE_DATE_EPOCH in its environment: mksquashfs would set every file's time to it,
        // and /opt/mooring's AOT cache checks the jars' own times.
        Map<String, String> env = new HashMap<>(Tools.forBuild(sourceDateEpoch).environment());
        env.remove("SOURCE_DATE_EPOCH");
        new Tools(env).run(List.of("mksquashfs", root.toString(), squashfs.toString(), "-noappend", "-comp", "zstd",
                "-Xcompression-level", "3", "-processors", "2", "-b", "1M", "-mkfs-time", Long.toString(sourceDateEpoch), "-quiet", "-no-progress"),
                "making the live squashfs");
    }

    /**
     * @param tree   the ISO's files: live/root.squashfs and oem/
     * @param efiImg the FAT image with EFI/BOOT/BOOTX64.EFI (the live UKI)
     */
    public void make(ImageIdentity id, Path tree, Path efiImg, Path iso) throws BuildException, IOException {
        Files.deleteIfExists(iso);
        tools.run(List.of("find", tree.toString(), "-exec", "touch", "--no-dereference", "-d", "@" + sourceDateEpoch, "{}", "+"),
                "fixing the ISO files' times");
        tools.run(List.of("xorriso", "-as", "mkisofs", "-o", iso.toString(), "-V", id.isoLabel(), "-R", "-J",
                "-iso-level", "3", "-partition_offset", "16",
                "-append_partition", "2", "0xef", efiImg.toString(), "-appended_part_as_gpt",
                "-e", "--interval:appended_partition_2:all::", "-no-emul-boot",
                tree.toString()), "making the ISO");
    }
}
