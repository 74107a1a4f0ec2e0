package dev.mooring.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** How QEMU starts the guest. */
public sealed interface BootMode {

    /** The arguments this mode adds; {@code varsCopy} is the machine's own OVMF_VARS (UEFI only). */
    List<String> qemuArguments(Path varsCopy);

    /**
     * Direct kernel boot: QEMU loads the kernel and initrd itself and skips firmware and boot
     * loader (about 4–5 s less under TCG than UEFI). {@code console=ttyS0} is added to the command
     * line when it names no console, since the lab reads the console from the first serial port.
     */
    record DirectKernel(Path kernel, Path initrd, String append) implements BootMode {
        public DirectKernel {
            Objects.requireNonNull(kernel, "kernel");
            Objects.requireNonNull(initrd, "initrd");
            append = append == null ? "" : append.strip();
            if (!append.contains("console=")) {
                append = (append + " console=ttyS0").strip();
            }
        }

        @Override
        public List<String> qemuArguments(Path varsCopy) {
            return List.of("-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append);
        }
    }

    /** UEFI firmware (OVMF) booting the disk's EFI system partition, as real hardware does. */
    record Uefi(Path code, Path varsTemplate) implements BootMode {
        public static final Path DEFAULT_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
        public static final Path DEFAULT_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

        public Uefi {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(varsTemplate, "varsTemplate");
        }

        /** Debian's OVMF (package ovmf). */
        public static Uefi ovmf() {
            return new Uefi(DEFAULT_CODE, DEFAULT_VARS);
        }

        @Override
        public List<String> qemuArguments(Path varsCopy) {
            return List.of(
                    "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                    "-drive", "if=pflash,format=raw,unit=1,file=" + varsCopy);
        }
    }
}
