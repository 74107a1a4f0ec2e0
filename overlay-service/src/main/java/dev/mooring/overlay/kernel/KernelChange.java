package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;

/**
 * One change to the kernel's network state. The reconciler computes a list of these (the
 * difference between desired and observed state); a {@link Kernel} applies them one by one.
 * Links are named, not indexed: an index is only valid for one observation.
 */
public sealed interface KernelChange {

    /** {@code ip link add NAME address MAC mtu MTU type bridge} (created down). */
    record AddBridge(String name, MacAddress mac, int mtu) implements KernelChange {}

    /**
     * {@code ip link add NAME mtu MTU type vxlan id VNI dstport PORT dev UNDERLAY nolearning}
     * (created down, no fixed local address, so it survives an underlay address change).
     */
    record AddVxlan(String name, int vni, int port, String underlay, int mtu) implements KernelChange {}

    record DeleteLink(String name) implements KernelChange {}

    record SetMtu(String link, int mtu) implements KernelChange {}

    /** Makes {@code link} a port of bridge {@code master}. */
    record SetMaster(String link, String master) implements KernelChange {}

    record SetUp(String link) implements KernelChange {}

    record AddAddress(String link, Ipv4Address address, int prefixLength) implements KernelChange {}

    record DeleteAddress(String link, Ipv4Address address, int prefixLength) implements KernelChange {}

    /** {@code bridge fdb append MAC dev LINK dst DESTINATION self permanent}. */
    record AppendFdb(String link, MacAddress mac, Ipv4Address destination) implements KernelChange {}

    record DeleteFdb(String link, MacAddress mac, Ipv4Address destination) implements KernelChange {}

    /** {@code ip neigh replace ADDRESS lladdr MAC dev LINK nud permanent}. */
    record ReplaceNeighbour(String link, Ipv4Address address, MacAddress mac) implements KernelChange {}

    record DeleteNeighbour(String link, Ipv4Address address) implements KernelChange {}
}
