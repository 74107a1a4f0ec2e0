package dev.mooring.overlay.address;

/**
 * An IPv4 network: a base address with no host bits set and a prefix length. The overlay's
 * internal CIDR is one of these; {@code toString} is {@code 100.64.192.0/23}.
 */
public record Cidr(Ipv4Address network, int prefixLength) {

    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new InvalidAddressException("prefix length " + prefixLength + " is outside 0..32");
        }
        if ((network.bits() & ~mask(prefixLength)) != 0) {
            Ipv4Address base = new Ipv4Address(network.bits() & mask(prefixLength));
            throw new InvalidAddressException("'" + network + "/" + prefixLength + "' has host bits set; the network is " + base + "/" + prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}; host bits must be zero (write the network, not a host in it). */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidAddressException("a CIDR is required, e.g. 100.64.192.0/23");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidAddressException("'" + text + "' has no prefix length: write it as network/prefix, e.g. 100.64.192.0/23");
        }
        Ipv4Address base = Ipv4Address.parse(text.substring(0, slash));
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 2 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidAddressException("'" + text + "' has an invalid prefix length '" + prefix + "': write a number 0-32");
        }
        return new Cidr(base, Integer.parseInt(prefix));
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    /** Number of addresses, including network and broadcast. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    public boolean contains(Ipv4Address address) {
        return (address.bits() & mask()) == network.bits();
    }

    public boolean overlaps(Cidr other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return ((network.bits() ^ other.network.bits()) & mask(shorter)) == 0;
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~mask());
    }

    /** The first address a host may use (the default VIP). */
    public Ipv4Address firstUsable() {
        return prefixLength >= 31 ? network : network.plus(1);
    }

    /** The last address a host may use. */
    public Ipv4Address lastUsable() {
        return prefixLength >= 31 ? broadcast() : broadcast().plus(-1);
    }

    /** True for an address in this network that is neither its network nor its broadcast address. */
    public boolean isUsableHost(Ipv4Address address) {
        return contains(address) && (prefixLength >= 31 || (!address.equals(network) && !address.equals(broadcast())));
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }

    // equals and hashCode are written out: a record's own are bound by invokedynamic on first call,
    // which spins method-handle classes at every start (no AOT cache holds them), and these values
    // are compared on the way to READY. They compare the components the record would.
    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && other.prefixLength == prefixLength && other.network.equals(network);
    }

    @Override
    public int hashCode() {
        return 31 * network.hashCode() + Integer.hashCode(prefixLength);
    }
}
