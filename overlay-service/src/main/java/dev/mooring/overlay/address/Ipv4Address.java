package dev.mooring.overlay.address;

/** An IPv4 address as its 32 bits; {@code toString} is the dotted quad. */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    /** Parses a dotted quad strictly: four decimal octets 0..255, no leading zeros, no spaces. */
    public static Ipv4Address parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidAddressException("an IPv4 address is required, e.g. 100.64.192.10");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new InvalidAddressException("'" + text + "' is not an IPv4 address: write four numbers 0-255 separated by dots, e.g. 100.64.192.10");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidAddressException("'" + text + "' is not an IPv4 address: '" + part + "' is not a number 0-255");
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                // inet_aton reads a leading zero as octal; refuse the ambiguity instead of guessing.
                throw new InvalidAddressException("'" + text + "' has an octet with a leading zero ('" + part + "'); write it without the zero");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new InvalidAddressException("'" + text + "' is not an IPv4 address: " + octet + " is larger than 255");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4Address(bits);
    }

    public static Ipv4Address of(byte[] fourBytes) {
        if (fourBytes.length != 4) {
            throw new IllegalArgumentException("fourBytes: expected 4 bytes, got " + fourBytes.length);
        }
        return new Ipv4Address(((fourBytes[0] & 0xff) << 24) | ((fourBytes[1] & 0xff) << 16)
                | ((fourBytes[2] & 0xff) << 8) | (fourBytes[3] & 0xff));
    }

    /** Network byte order, as netlink and ARP carry it. */
    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public Ipv4Address plus(long offset) {
        return new Ipv4Address((int) (Integer.toUnsignedLong(bits) + offset));
    }

    public boolean isUnspecified() {
        return bits == 0;
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }

    // equals and hashCode are written out: a record's own are bound by invokedynamic on first call,
    // which spins method-handle classes at every start (no AOT cache holds them), and these values
    // are compared on the way to READY. They compare the components the record would.
    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Address other && other.bits == bits;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(bits);
    }
}
