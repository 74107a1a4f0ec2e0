package dev.mooring.lab;

import java.nio.file.Path;

/**
 * A separate JVM holding a lab, for {@link TeardownTest}'s Ctrl-C case: builds a network and one
 * machine, prints {@code READY <namespace> <qemu pid> <dnsmasq pid> <dir>} and waits to be interrupted.
 */
public final class LabChild {
    private LabChild() {}

    public static void main(String[] args) throws Exception {
        Path kernel = Path.of(args[0]);
        Path initrd = Path.of(args[1]);
        LabNetwork net = LabNetwork.builder().start();
        LabMachine machine = LabMachine.builder("child1")
                .withBoot(new BootMode.DirectKernel(kernel, initrd, "console=ttyS0 quiet"))
                .withMemoryMb(256).withCommandChannel(CommandChannel.Kind.NONE).start(net);
        System.out.println("READY " + net.namespace() + " " + machine.qemuPid() + " " + net.dhcpServerPid() + " " + net.directory());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
