package dev.mooring.lab;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * dnsmasq as the lab's DHCP server, with the same settings as overlay-service's {@code DhcpLab}:
 * no DNS ({@code --port=0}), no configuration file, bound to the lab bridge only, authoritative (a
 * client asking for an address of the other network gets a NAK at once, as after a real outage),
 * no ping before an offer, addresses {@code .100}–{@code .199}, router {@code .1}; lease, pid and
 * log files in the lab's directory.
 */
final class Dnsmasq {
    /** dnsmasq refuses shorter leases. */
    static final Duration MIN_LEASE = Duration.ofMinutes(2);

    private Dnsmasq() {}

    /** The command line serving {@code subnet} on {@code bridge}; files under {@code dir}. */
    static List<String> command(Cidr subnet, String bridge, Duration leaseTime, Path dir) {
        if (subnet.prefixLength() != 24) {
            throw new IllegalArgumentException("subnet: expected a /24, got " + subnet);
        }
        Ipv4Address router = subnet.firstUsable();
        return List.of("dnsmasq",
                "--conf-file=/dev/null", "--keep-in-foreground", "--no-hosts", "--no-resolv", "--port=0",
                "--interface=" + bridge, "--bind-interfaces", "--dhcp-authoritative", "--no-ping", "--user=root",
                "--dhcp-range=" + router.plus(99) + "," + router.plus(198) + ",255.255.255.0," + Math.max(leaseTime.toMinutes(), 2) + "m",
                "--dhcp-option=option:router," + router,
                "--dhcp-leasefile=" + dir.resolve("leases"),
                "--pid-file=" + dir.resolve("dnsmasq.pid"),
                "--log-dhcp", "--log-facility=" + dir.resolve("dnsmasq.log"));
    }

    /** Starts dnsmasq in {@code namespace} and returns once it has bound its socket (it then writes its pid file). */
    static LabProcess start(String namespace, Cidr subnet, String bridge, Duration leaseTime, Path dir, int generation)
            throws InterruptedException {
        Path pidFile = dir.resolve("dnsmasq.pid");
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new LabException("cannot remove " + pidFile + ": " + e.getMessage(), e);
        }
        List<String> command = new java.util.ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(command(subnet, bridge, leaseTime, dir));
        LabProcess server = LabProcess.start("dnsmasq", command, dir.resolve("dnsmasq-" + generation + ".out"));
        Poll.until(Duration.ofSeconds(15), "dnsmasq serving " + subnet + " wrote its pid file " + pidFile,
                () -> {
                    if (!server.isAlive()) {
                        throw new LabException("dnsmasq exited: " + server.output());
                    }
                    return Files.exists(pidFile) && Files.readString(pidFile).strip().equals(Long.toString(server.pid()))
                            ? java.util.Optional.of(true) : java.util.Optional.empty();
                },
                server::output);
        return server;
    }
}
