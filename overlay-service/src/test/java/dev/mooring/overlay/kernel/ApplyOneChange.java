package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.MacAddress;

/**
 * A child-JVM program for the privilege test: creates one bridge through {@link NetlinkKernel} and
 * prints the kernel's refusal to stderr, exiting {@link #KERNEL_REFUSED}.
 */
public final class ApplyOneChange {
    static final int KERNEL_REFUSED = 3;

    private ApplyOneChange() {}

    public static void main(String[] args) {
        try (NetlinkKernel kernel = NetlinkKernel.open()) {
            kernel.apply(new KernelChange.AddBridge(args[0], MacAddress.parse("02:00:64:40:c0:0a"), 1500));
            System.out.println("created " + args[0]);
        } catch (KernelException e) {
            System.err.println(e.getMessage());
            System.exit(KERNEL_REFUSED);
        }
    }
}
