package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;

/**
 * A unified kernel image: systemd's EFI stub with the kernel, initramfs, command line and
 * os-release as PE sections, booted by the firmware as EFI/BOOT/BOOTX64.EFI with no boot loader.
 * Made with objcopy (bookworm's systemd has no ukify). The stub comes from the image's own
 * systemd-boot-efi package, so the host's version does not matter.
 */
public final class UnifiedKernelImage {

    static final String STUB = "usr/lib/systemd/boot/efi/linuxx64.efi.stub";

    private final Tools tools;

    public UnifiedKernelImage(Tools tools) {
        this.tools = tools;
    }

    public void make(Path root, Path kernel, Path initrd, String cmdline, Path output, Path work, long sourceDateEpoch)
            throws BuildException, IOException {
        Path stub = root.resolve(STUB);
        if (!Files.isRegularFile(stub)) {
            throw new BuildException("the root filesystem has no EFI stub at /" + STUB,
                    "install systemd-boot-efi in the image (a base tarball given with base.rootfs must contain it)");
        }
        Path cmdlineFile = work.resolve(output.getFileName() + ".cmdline");
        Files.writeString(cmdlineFile, cmdline + "\0");
        Path osRelease = root.resolve("usr/lib/os-release");
        long kernelSize = Files.size(kernel);
        long linuxVma = 0x2000000L;
        long initrdVma = (linuxVma + kernelSize + 0xFFFFF) & ~0xFFFFFL;
        Files.deleteIfExists(output);
        tools.run(List.of("objcopy",
                "--add-section", ".osrel=" + osRelease, "--change-section-vma", ".osrel=0x20000",
                "--add-section", ".cmdline=" + cmdlineFile, "--change-section-vma", ".cmdline=0x30000",
                "--add-section", ".linux=" + kernel, "--change-section-vma", ".linux=0x" + Long.toHexString(linuxVma),
                "--add-section", ".initrd=" + initrd, "--change-section-vma", ".initrd=0x" + Long.toHexString(initrdVma),
                stub.toString(), output.toString()), "making the unified kernel image");
        Files.deleteIfExists(cmdlineFile);
        fixPeHeader(output, sourceDateEpoch);
    }

    /**
     * objcopy stamps the PE header with the current time (and a checksum over it): set the
     * TimeDateStamp to SOURCE_DATE_EPOCH and the optional checksum to 0, which firmware does not check.
     */
    static void fixPeHeader(Path pe, long sourceDateEpoch) throws IOException, BuildException {
        try (FileChannel ch = FileChannel.open(pe, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer dos = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(dos, 0);
            int peOffset = dos.getInt(0x3c);
            ByteBuffer sig = ByteBuffer.allocate(4);
            ch.read(sig, peOffset);
            if (dos.get(0) != 'M' || dos.get(1) != 'Z' || !new String(sig.array(), StandardCharsets.US_ASCII).equals("PE\0\0")) {
                throw new BuildException(pe + " is not a PE file after objcopy", "check the EFI stub in systemd-boot-efi");
            }
            ByteBuffer stamp = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) sourceDateEpoch);
            ch.write(stamp, peOffset + 8);
            // COFF header is 20 bytes after the signature; the optional header's CheckSum is at offset 64 in it.
            ch.write(ByteBuffer.allocate(4), peOffset + 4 + 20 + 64);
        }
    }
}
