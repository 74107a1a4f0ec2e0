package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhcpLeaseTest {
    @Test
    void readsDnsmasqLeaseLinesAndSkipsTheDuidLine() {
        String file = """
                1795760000 52:54:00:6D:72:01 198.51.100.166 node1 01:52:54:00:6d:72:01
                1795760012 52:54:00:6d:72:02 198.51.100.120 * *
                duid 00:01:00:01:2c:aa:bb:cc:dd:ee:ff:00:11
                """;
        assertThat(DhcpLease.parseFile(file)).containsExactly(
                new DhcpLease("52:54:00:6d:72:01", Ipv4Address.parse("198.51.100.166"), Optional.of("node1"), Instant.ofEpochSecond(1795760000)),
                new DhcpLease("52:54:00:6d:72:02", Ipv4Address.parse("198.51.100.120"), Optional.empty(), Instant.ofEpochSecond(1795760012)));
        assertThat(DhcpLease.parseFile("")).isEqualTo(List.of());
    }

    @Test
    void dnsmasqServesOnlyTheLabBridgeWithoutDnsAndAuthoritatively() {
        List<String> command = Dnsmasq.command(LabNetwork.MOVED_SUBNET, "br0", java.time.Duration.ofMinutes(2), java.nio.file.Path.of("/tmp/x"));
        assertThat(command).contains("--port=0", "--interface=br0", "--bind-interfaces", "--dhcp-authoritative", "--conf-file=/dev/null",
                "--dhcp-range=203.0.113.100,203.0.113.199,255.255.255.0,2m", "--dhcp-option=option:router,203.0.113.1",
                "--dhcp-leasefile=/tmp/x/leases");
    }
}
