package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;

/**
 * A notification that the kernel's links, IPv4 addresses or neighbour/FDB entries changed
 * (rtnetlink multicast groups). Events only say "look again": the reconciler re-observes.
 */
public sealed interface KernelEvent {

    record LinkChanged(int index, String name, boolean removed) implements KernelEvent {}

    record AddressChanged(int linkIndex, Ipv4Address address, int prefixLength, boolean removed)
            implements KernelEvent {}

    /** An FDB or neighbour entry was added or removed on {@code linkIndex}. */
    record NeighbourChanged(int linkIndex, boolean removed) implements KernelEvent {}

    /** The event socket overflowed (ENOBUFS): events were lost, so everything must be re-observed. */
    record Overrun() implements KernelEvent {}
}
