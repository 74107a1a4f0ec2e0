package dev.mooring.hub.store;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;

/** A cluster as the hub keeps it: its overlay settings, fixed once created, and its discovery key. */
public record ClusterRecord(String name, Cidr cidr, Ipv4Address vip, int vni, int port, String key, Instant created) {}
