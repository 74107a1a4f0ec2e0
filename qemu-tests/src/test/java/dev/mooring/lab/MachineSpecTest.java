package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MachineSpecTest {
    private final Path dir = Path.of("/lab/node1");

    @Test
    void directKernelBootUnderTcgWithTheTapTheConsoleAndBothSockets() {
        List<String> c = LabMachine.builder("node1")
                .withBoot(new BootMode.DirectKernel(Path.of("/k/vmlinuz"), Path.of("/k/initrd"), "root=/dev/vda2 rw"))
                .withDisk(Path.of("/img/edge.qcow2")).withSeed(Path.of("/img/seed1.img"))
                .spec().qemuCommand(Tap.of(2), dir);
        assertThat(String.join(" ", c)).contains(
                "-machine q35 -accel tcg -cpu qemu64 -smp 1 -m 768",
                "-serial stdio",
                "-chardev socket,id=ttyS1,path=/lab/node1/ttyS1.sock,server=on,wait=off -serial chardev:ttyS1",
                "-qmp unix:/lab/node1/qmp.sock,server=on,wait=off",
                "-netdev tap,id=net0,ifname=tap2,script=no,downscript=no",
                "virtio-net-pci,id=nic0,netdev=net0,mac=52:54:00:6d:72:02,romfile=",
                "-kernel /k/vmlinuz -initrd /k/initrd -append root=/dev/vda2 rw console=ttyS0 mooring.lab=1",
                "-drive if=virtio,format=qcow2,file=/lab/node1/disk.qcow2",
                "-drive if=virtio,format=raw,readonly=on,file=/img/seed1.img");
        assertThat(c).doesNotContain("-enable-kvm").doesNotContain("pflash");
    }

    @Test
    void uefiUsesTheMachinesOwnCopyOfTheVariablesAndTheGuestAgentGetsAVirtioSerialPort() {
        String c = String.join(" ", LabMachine.builder("node1").withBoot(BootMode.Uefi.ovmf())
                .withCommandChannel(CommandChannel.Kind.GUEST_AGENT).spec().qemuCommand(Tap.of(1), dir));
        assertThat(c).contains("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "if=pflash,format=raw,unit=1,file=/lab/node1/OVMF_VARS.fd",
                "virtserialport,chardev=qga,name=org.qemu.guest_agent.0").doesNotContain("-kernel");
    }

    @Test
    void badSettingsNameTheArgument() {
        assertThatThrownBy(() -> LabMachine.builder("Node 1").withBoot(BootMode.Uefi.ovmf()).spec())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> LabMachine.builder("n1").spec()).hasMessageContaining("boot");
        assertThatThrownBy(() -> LabMachine.builder("n1").withBoot(BootMode.Uefi.ovmf()).withMemoryMb(64).spec())
                .hasMessageContaining("memoryMb");
        assertThat(Tap.of(10).mac()).isEqualTo("52:54:00:6d:72:0a");
    }
}
