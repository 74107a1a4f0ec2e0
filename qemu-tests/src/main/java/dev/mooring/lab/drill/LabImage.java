package dev.mooring.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.lab.BootMode;
import dev.mooring.lab.LabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image made by {@code mooring image build}: the disk and how to boot it. Next to
 * {@code out/edge.qcow2} the builder writes {@code edge.json} (its report: {@code boot.kernel},
 * {@code boot.initrd}, {@code boot.directBootCmdline}) and the kernel and initrd themselves; with
 * them the lab boots the disk directly (4–5 s faster under TCG), without them through OVMF.
 */
public record LabImage(Path disk, BootMode boot) {

    /** Reads the build report beside {@code disk}; {@code uefi} forces the firmware path. */
    public static LabImage of(Path disk, boolean uefi) {
        if (!Files.isRegularFile(disk)) {
            throw new LabException("image " + disk + " does not exist; build it with: mooring image build examples/edge/image.yaml -o out/ (docs/image.md)");
        }
        String file = disk.getFileName().toString();
        String name = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
        Path report = disk.resolveSibling(name + ".json");
        if (uefi || !Files.isRegularFile(report)) {
            return new LabImage(disk, BootMode.Uefi.ovmf());
        }
        try {
            JsonNode boot = new ObjectMapper().readTree(report.toFile()).path("boot");
            Path kernel = disk.resolveSibling(boot.path("kernel").asText(name + ".vmlinuz"));
            Path initrd = disk.resolveSibling(boot.path("initrd").asText(name + ".initrd"));
            String cmdline = boot.path("directBootCmdline").asText("");
            if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd) || cmdline.isBlank()) {
                return new LabImage(disk, BootMode.Uefi.ovmf());
            }
            // The lab reads ttyS0 as the console; tty0 first would only slow the boot down.
            return new LabImage(disk, new BootMode.DirectKernel(kernel, initrd, cmdline.replace("console=tty0 ", "")));
        } catch (IOException e) {
            throw new LabException("cannot read the build report " + report + ": " + e.getMessage(), e);
        }
    }
}
