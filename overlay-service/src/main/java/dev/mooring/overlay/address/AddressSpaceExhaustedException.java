package dev.mooring.overlay.address;

/**
 * The overlay CIDR has no address left for this host: every address a host may get is the VIP or
 * claimed by another host. The message says how many there are and what to do.
 */
public final class AddressSpaceExhaustedException extends IllegalStateException {
    public AddressSpaceExhaustedException(String message) {
        super(message);
    }
}
