package dev.mooring.firstboot.cloudconfig;

import java.util.List;

/** Time sync: servers and pools for the NTP client; {@code enabled} false leaves time sync alone. */
public record Ntp(boolean enabled, List<String> servers, List<String> pools) {
    public Ntp {
        servers = List.copyOf(servers);
        pools = List.copyOf(pools);
    }
}
