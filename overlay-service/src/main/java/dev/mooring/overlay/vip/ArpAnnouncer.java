package dev.mooring.overlay.vip;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import java.time.Duration;

/**
 * Tells a link's neighbours that an address now lives at a MAC address (gratuitous ARP), so they
 * update their ARP caches at once when the VIP moves instead of after their entries expire.
 */
public interface ArpAnnouncer extends AutoCloseable {

    /**
     * Sends {@code count} gratuitous ARP frames for {@code address} at {@code mac} on {@code link},
     * {@code interval} apart, alternating request and reply (some devices honour only one kind).
     * Returns after the last frame was sent.
     */
    void announce(String link, Ipv4Address address, MacAddress mac, int count, Duration interval) throws KernelException;

    @Override
    void close();
}
