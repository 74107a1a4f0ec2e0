package dev.mooring.overlay.address;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Overlay addresses derived from host ids, for clusters without static addresses or a hub. A
 * host's first candidate is a hash of its id spread over the usable hosts of the CIDR, the VIP
 * left out; when two hosts claim one address, a rule every host applies the same way decides who
 * keeps it, so the claims become distinct whatever order the hosts hear of each other in.
 *
 * <p>The rule: a persisted claim always wins (that host's address never changes again). Between
 * tentative claims the lower host id (in {@link String#compareTo} order) keeps the address; the
 * other probes forward from it to the next usable address nobody else claims, wrapping at the
 * end of the CIDR.
 *
 * @param cidr the overlay CIDR
 * @param vip  the VIP, never handed to a host
 */
public record AddressDerivation(Cidr cidr, Ipv4Address vip) {

    /**
     * Another host's claim on an address, as its announcement carries it.
     *
     * @param persisted true once the host has written the address to its identity file
     */
    public record Claim(String hostId, Ipv4Address address, boolean persisted) {
        public Claim {
            Objects.requireNonNull(hostId, "hostId");
            Objects.requireNonNull(address, "address");
        }
    }

    public AddressDerivation {
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(vip, "vip");
    }

    /** How many addresses a host may get: the usable hosts of the CIDR without the VIP. */
    public long capacity() {
        long usable = Integer.toUnsignedLong(cidr.lastUsable().bits()) - Integer.toUnsignedLong(cidr.firstUsable().bits()) + 1;
        return cidr.isUsableHost(vip) ? usable - 1 : usable;
    }

    /**
     * The first address this host tries: SHA-256 of its id (UTF-8), its first 8 bytes taken
     * modulo {@link #capacity()}, as an offset among the usable hosts with the VIP skipped.
     *
     * @throws AddressSpaceExhaustedException when the CIDR has no address but the VIP
     */
    public Ipv4Address candidate(String hostId) {
        if (hostId.isEmpty()) {
            throw new IllegalArgumentException("hostId: a host id is required to derive an overlay address");
        }
        long capacity = capacity();
        if (capacity <= 0) {
            throw new AddressSpaceExhaustedException("the overlay CIDR " + cidr + " has no address for a host besides the VIP "
                    + vip + "; use a larger overlay.cidr when creating the cluster");
        }
        long hash = ByteBuffer.wrap(sha256(hostId)).getLong();
        long offset = Long.remainderUnsigned(hash, capacity);
        Ipv4Address address = cidr.firstUsable().plus(offset);
        // Offsets count usable hosts without the VIP: from the VIP on, each address is one further.
        return cidr.isUsableHost(vip) && address.compareTo(vip) >= 0 ? address.plus(1) : address;
    }

    /**
     * The address a host with a tentative claim on {@code current} should claim, given the other
     * hosts' claims: {@code current} when nobody with a better claim has it, otherwise the next
     * usable address after it that no other host claims (wrapping around; the VIP is skipped).
     * Claims carrying {@code hostId} itself are ignored.
     *
     * @throws AddressSpaceExhaustedException when every address a host may get is claimed by another
     */
    public Ipv4Address resolve(String hostId, Ipv4Address current, Collection<Claim> others) {
        Set<Ipv4Address> taken = new HashSet<>();
        boolean beaten = false;
        for (Claim c : others) {
            if (c.hostId().equals(hostId)) {
                continue;
            }
            taken.add(c.address());
            if (c.address().equals(current) && (c.persisted() || c.hostId().compareTo(hostId) < 0)) {
                beaten = true;
            }
        }
        if (!beaten && isAssignable(current)) {
            return current;
        }
        Ipv4Address probe = cidr.isUsableHost(current) ? current : cidr.lastUsable();
        // capacity() + 1 steps visit every usable host once, wherever the walk starts.
        for (long i = 0; i <= capacity(); i++) {
            probe = probe.equals(cidr.lastUsable()) ? cidr.firstUsable() : probe.plus(1);
            if (isAssignable(probe) && !taken.contains(probe)) {
                return probe;
            }
        }
        throw new AddressSpaceExhaustedException("no free overlay address for host '" + hostId + "' in " + cidr + ": all "
                + capacity() + " addresses a host may get (the VIP " + vip + " excluded) are claimed by other hosts."
                + " The CIDR is fixed once the cluster exists: give this host a free overlay.address, or remove hosts"
                + " that left the cluster so their addresses are no longer announced");
    }

    /** True for an address a host may get: a usable host of the CIDR that is not the VIP. */
    public boolean isAssignable(Ipv4Address address) {
        return cidr.isUsableHost(address) && !address.equals(vip);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's javadoc).
            throw new IllegalStateException(e);
        }
    }
}
