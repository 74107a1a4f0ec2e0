package dev.mooring.overlay.address;

import java.util.HexFormat;

/** A 48-bit Ethernet address; {@code toString} is lower-case {@code aa:bb:cc:dd:ee:ff}. */
public record MacAddress(long bits) {

    public static final MacAddress ZERO = new MacAddress(0);
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("bits: a MAC address has 48 bits, got " + Long.toHexString(bits));
        }
    }

    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 6) {
            throw new InvalidAddressException("'" + text + "' is not a MAC address: write six hex pairs separated by colons, e.g. 02:00:64:40:c0:0a");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new InvalidAddressException("'" + text + "' is not a MAC address: '" + part + "' is not a hex pair");
            }
            bits = (bits << 8) | HexFormat.fromHexDigits(part);
        }
        return new MacAddress(bits);
    }

    public static MacAddress of(byte[] sixBytes) {
        if (sixBytes.length != 6) {
            throw new IllegalArgumentException("sixBytes: expected 6 bytes, got " + sixBytes.length);
        }
        long bits = 0;
        for (byte b : sixBytes) {
            bits = (bits << 8) | (b & 0xff);
        }
        return new MacAddress(bits);
    }

    /**
     * A locally administered unicast MAC derived from an overlay address, so a host's bridge MAC
     * is stable across restarts and re-installs without being stored: 02:00 followed by the IPv4.
     */
    public static MacAddress forOverlayAddress(Ipv4Address address) {
        return new MacAddress(0x0200_0000_0000L | Integer.toUnsignedLong(address.bits()));
    }

    public byte[] toBytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return out;
    }

    public boolean isZero() {
        return bits == 0;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }

    // equals and hashCode are written out: a record's own are bound by invokedynamic on first call,
    // which spins method-handle classes at every start (no AOT cache holds them), and these values
    // are compared on the way to READY. They compare the components the record would.
    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress other && other.bits == bits;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bits);
    }
}
