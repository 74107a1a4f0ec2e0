package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;

/** A notification that the kernel's links or IPv4 addresses changed (rtnetlink multicast groups). */
public sealed interface KernelEvent {

    record LinkChanged(int index, String name, boolean removed) implements KernelEvent {}

    record AddressChanged(int linkIndex, Ipv4Address address, int prefixLength, boolean removed)
            implements KernelEvent {}
}
