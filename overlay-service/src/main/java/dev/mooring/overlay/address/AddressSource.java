package dev.mooring.overlay.address;

/**
 * Where this host's overlay address comes from. Today the only source is the static
 * {@code overlay.address} of overlay.yaml; the hub's assignment and the derivation from the
 * machine id plug in here, so the service never asks where the address came from.
 */
@FunctionalInterface
public interface AddressSource {

    /** This host's overlay address; the same value on every call for the life of the process. */
    Ipv4Address overlayAddress();
}
