package dev.mooring.image.build.steps;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.Tools;
import java.io.IOException;
import java.nio.file.Files;
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

    public void make(Path root, Path kernel, Path initrd, String cmdline, Path output, Path work) throws BuildException, IOException {
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
    }
}
