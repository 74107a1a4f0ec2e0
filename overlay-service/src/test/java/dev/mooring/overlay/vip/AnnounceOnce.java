package dev.mooring.overlay.vip;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import java.time.Duration;

/**
 * A child-JVM program for the privilege test: sends one gratuitous ARP on {@code args[0]} and
 * prints a refusal to stderr, exiting {@link #REFUSED}.
 */
public final class AnnounceOnce {
    static final int REFUSED = 3;

    private AnnounceOnce() {}

    public static void main(String[] args) {
        try (GratuitousArpSender sender = GratuitousArpSender.open()) {
            sender.announce(args[0], Ipv4Address.parse("100.64.192.1"), MacAddress.parse("02:00:64:40:c0:01"), 1, Duration.ZERO);
            System.out.println("announced");
        } catch (KernelException e) {
            System.err.println(e.getMessage());
            System.exit(REFUSED);
        }
    }
}
