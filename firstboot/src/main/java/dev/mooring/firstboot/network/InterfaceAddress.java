package dev.mooring.firstboot.network;

import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;

/**
 * An address on an interface with its prefix, {@code 198.51.100.7/24}: unlike a
 * {@link dev.mooring.overlay.address.Cidr} it names a host, so host bits are expected.
 */
public record InterfaceAddress(Ipv4Address address, int prefixLength) {

    public InterfaceAddress {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new InvalidAddressException("prefix length " + prefixLength + " is outside 0..32");
        }
    }

    /** Parses {@code a.b.c.d/n}. */
    public static InterfaceAddress parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidAddressException("'" + text + "' has no prefix length: write address/prefix, e.g. 198.51.100.7/24");
        }
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 2 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidAddressException("'" + text + "' has an invalid prefix length '" + prefix + "': write a number 0-32");
        }
        return new InterfaceAddress(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(prefix));
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
