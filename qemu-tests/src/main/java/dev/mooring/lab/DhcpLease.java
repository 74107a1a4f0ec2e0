package dev.mooring.lab;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One line of dnsmasq's lease file: {@code <expiry epoch s> <mac> <ip> <hostname|*> <client-id|*>}.
 *
 * @param hostname the name the client sent, if any
 */
public record DhcpLease(String mac, Ipv4Address address, Optional<String> hostname, Instant expires) {

    /** Parses a whole lease file; lines that are not leases (dnsmasq's "duid" line) are skipped. */
    public static List<DhcpLease> parseFile(String text) {
        List<DhcpLease> leases = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !f[0].chars().allMatch(Character::isDigit) || f[0].isEmpty()) {
                continue;
            }
            leases.add(new DhcpLease(f[1].toLowerCase(Locale.ROOT), Ipv4Address.parse(f[2]),
                    f[3].equals("*") ? Optional.empty() : Optional.of(f[3]), Instant.ofEpochSecond(Long.parseLong(f[0]))));
        }
        return List.copyOf(leases);
    }
}
