package dev.mooring.firstboot.network;

import java.util.List;

/** A network-config version 2 document, reduced to what Mooring applies: the underlay's ethernets. */
public record NetworkConfig(List<Ethernet> ethernets) {
    public NetworkConfig {
        ethernets = List.copyOf(ethernets);
    }
}
