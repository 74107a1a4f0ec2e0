package dev.mooring.image.build;

import dev.mooring.image.build.steps.FatImage;
import dev.mooring.image.build.steps.RawDisk;
import dev.mooring.image.disk.GptLayout;
import dev.mooring.image.disk.GptPartition;
import dev.mooring.image.disk.GptReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;

/**
 * Replaces the /oem files of a built image without a rebuild. A raw disk gets a new FAT file
 * system in its "oem" partition (same label and volume id); an ISO gets new /oem files through
 * xorriso, with its boot images replayed. The result is written beside the target under a
 * temporary name and renamed over it, so a failure leaves the old image whole.
 */
public final class OemInjector {

    private final Tools tools;

    public OemInjector(Tools tools) {
        this.tools = tools;
    }

    public void inject(Path image, Path output, OemContent content) throws BuildException {
        String name = image.getFileName().toString();
        Path temp = output.resolveSibling("." + output.getFileName() + ".inject-" + ProcessHandle.current().pid());
        try {
            if (name.endsWith(".iso")) {
                injectIso(image, temp, content);
            } else if (name.endsWith(".qcow2")) {
                throw new BuildException(image + " is a qcow2 image, which inject does not rewrite",
                        "inject into the .raw image and convert it (qemu-img convert -O qcow2), or boot the qcow2 with a seed from mooring image seed");
            } else {
                injectRaw(image, temp, content);
            }
            Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            throw new BuildException((message.contains("No space left") ? "no space left for " : "cannot write ") + output + ": " + message,
                    "free space or choose another output with -o; " + image + " is unchanged", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // a left-over temporary file has a name no image has
            }
        }
    }

    private void injectRaw(Path image, Path temp, OemContent content) throws BuildException, IOException {
        GptLayout layout;
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
            layout = GptReader.read(in);
        } catch (GptReader.InvalidGptException e) {
            throw new BuildException(image + " is not a Mooring raw image: " + e.getMessage(), "give the .raw (or .iso) that mooring image build wrote");
        }
        GptPartition oem = layout.partitions().stream().filter(p -> p.name().equals(RawDisk.OEM)).findFirst()
                .orElseThrow(() -> new BuildException(image + " has no partition named \"oem\"",
                        "give an image made by mooring image build"));
        String volumeId = fatVolumeId(image, oem);
        tools.run(List.of("cp", "--sparse=always", "--reflink=auto", image.toString(), temp.toString()), "copying the image");
        Path fat = temp.resolveSibling(temp.getFileName() + ".oem");
        try {
            new FatImage(tools, 315532800L).make(fat, oem.sizeBytes(), ImageIdentity.OEM_LABEL, volumeId, false, content.files());
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                // Not sparse: every byte of the old file system is overwritten, zeros included.
                RawDisk.copyInto(fat, out, oem, false, n -> { });
                out.force(true);
            }
        } finally {
            Files.deleteIfExists(fat);
        }
    }

    private void injectIso(Path image, Path temp, OemContent content) throws BuildException {
        List<String> command = new java.util.ArrayList<>(List.of("xorriso", "-indev", image.toString(), "-outdev", temp.toString(),
                "-boot_image", "any", "replay", "-rm_r", "/oem", "--"));
        for (var e : content.files().entrySet()) {
            command.addAll(List.of("-map", e.getValue().toString(), "/oem/" + e.getKey()));
        }
        command.addAll(List.of("-chmod_r", "0644", "/oem", "--", "-chmod", "0755", "/oem", "--", "-commit"));
        tools.run(command, "writing /oem into the ISO");
    }

    /** The OEM partition's current FAT volume id (FAT12/16 at byte 39, FAT32 at byte 67). */
    static String fatVolumeId(Path image, GptPartition oem) throws IOException {
        ByteBuffer boot = ByteBuffer.allocate(512);
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
            in.read(boot, oem.offsetBytes());
        }
        byte[] b = boot.array();
        boolean fat32 = new String(b, 82, 5, StandardCharsets.US_ASCII).equals("FAT32");
        int at = fat32 ? 67 : 39;
        return HexFormat.of().formatHex(new byte[] {b[at + 3], b[at + 2], b[at + 1], b[at]});
    }
}
