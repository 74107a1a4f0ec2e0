package dev.mooring.lab;

/**
 * A machine's port on the lab bridge: a persistent tap inside the lab namespace, which QEMU opens
 * by name.
 *
 * @param index 1-based, also the last byte of the MAC
 * @param mac   fixed per machine ({@code 52:54:00:6d:72:NN}, "mr"), so leases can be told apart
 */
public record Tap(int index, String name, String mac) {
    public Tap {
        if (index < 1 || index > 254) {
            throw new IllegalArgumentException("index: expected 1..254, got " + index);
        }
    }

    static Tap of(int index) {
        return new Tap(index, "tap" + index, "52:54:00:6d:72:%02x".formatted(index));
    }
}
