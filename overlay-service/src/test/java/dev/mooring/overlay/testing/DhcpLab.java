package dev.mooring.overlay.testing;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@link NetnsLab} whose hosts take their underlay addresses from a real DHCP server: dnsmasq
 * on the switch's bridge {@code br0} (which holds {@code 198.51.100.1/24} and {@code 203.0.113.1/24})
 * and busybox {@code udhcpc} on {@code eth0} in every host namespace. Leases last two minutes
 * (dnsmasq's minimum) and come from {@code .100}–{@code .199} of the network being served.
 *
 * <p>Nothing outside the lab is touched: the client's event script ({@code udhcpc -s}) only sets
 * the namespace's underlay address and default route and appends the event to a file of this lab
 * (it never writes /etc/resolv.conf, as distribution scripts do); the lease, pid, log and script
 * files live in a temporary directory; every process is started through {@link NetnsLab#start}
 * and so killed by PID on {@link #close()}.
 *
 * <pre>{@code
 * try (DhcpLab dhcp = DhcpLab.create(3)) {
 *     Ipv4Address before = dhcp.lease(dhcp.netns().host(1)).address();     // 198.51.100.1xx
 *     Map<NetnsLab.Host, DhcpLab.Lease> moved = dhcp.outage(NetnsLab.MOVED_UNDERLAY);   // 203.0.113.1xx
 * }
 * }</pre>
 */
public final class DhcpLab implements AutoCloseable {

    /** dnsmasq refuses shorter leases. */
    public static final Duration LEASE_TIME = Duration.ofMinutes(2);
    /** How long a client may take to obtain a lease from a running server. */
    public static final Duration LEASE_WAIT = Duration.ofSeconds(20);

    /**
     * How clients are made to take a lease from the restarted server.
     * <ul>
     * <li>{@link #RELEASE_REBIND}: SIGUSR2 (DHCPRELEASE, address removed) then SIGUSR1 (DISCOVER);
     * the new lease follows within milliseconds, so the drill is fast and deterministic.</li>
     * <li>{@link #RENEW}: SIGUSR1 only, as at T1: the unicast REQUEST for the old address gets a
     * DHCPNAK ("wrong network") from the authoritative server, the client drops the address and,
     * about 3 s later (busybox's pause after a NAK), DISCOVERs. The path a real outage takes.</li>
     * </ul>
     */
    public enum Renewal { RELEASE_REBIND, RENEW }

    /**
     * A lease as the host applied it.
     *
     * @param address the underlay address now on {@code eth0} (/24, default route via {@code .1})
     * @param applied when the event script had set the address and the route (wall clock, ns precision)
     */
    public record Lease(Ipv4Address address, Instant applied) {}

    /** One line of a host's event file: the udhcpc event, its address (if any) and when the script finished. */
    record Event(String name, Optional<Ipv4Address> address, Instant at) {}

    private final NetnsLab lab;
    private final Path dir;
    private final String ip;
    private final Map<NetnsLab.Host, NetnsLab.Background> clients = new LinkedHashMap<>();
    private NetnsLab.Background server;
    private Cidr network;
    private int serverGeneration;

    private DhcpLab(NetnsLab lab, Path dir, String ip) {
        this.lab = lab;
        this.dir = dir;
        this.ip = ip;
    }

    /**
     * Builds a lab of {@code hostCount} hosts, serves {@link NetnsLab#UNDERLAY} and waits until every
     * host has applied a lease from it. Needs root, dnsmasq and busybox (bin/ensure-packages); a
     * test without them is skipped (JUnit assumption) with the reason printed.
     */
    public static DhcpLab create(int hostCount) throws IOException, InterruptedException {
        String ip = NetnsAvailable.onPath("ip").orElseThrow(() -> new IOException("iproute2's ip is not on the PATH")).toString();
        for (String tool : List.of("dnsmasq", "busybox")) {
            if (NetnsAvailable.onPath(tool).isEmpty()) {
                // Like a missing root: the drills cannot run here, which is a skip with a reason, not a failure.
                String reason = tool + " is not installed; run bin/ensure-packages as root";
                System.err.println("skipped: " + reason);
                Assumptions.abort(reason);
            }
        }
        NetnsLab lab = NetnsLab.create(hostCount);
        DhcpLab dhcp = null;
        try {
            dhcp = new DhcpLab(lab, Files.createTempDirectory("mr-dhcp-"), ip);
            dhcp.build();
            return dhcp;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (dhcp != null) {
                dhcp.close();
            } else {
                lab.close();
            }
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        String sw = lab.switchNamespace();
        lab.exec(sw, "ip", "address", "add", NetnsLab.UNDERLAY.firstUsable() + "/24", "dev", "br0").orThrow();
        lab.exec(sw, "ip", "address", "add", NetnsLab.MOVED_UNDERLAY.firstUsable() + "/24", "dev", "br0").orThrow();
        startServer(NetnsLab.UNDERLAY);
        for (NetnsLab.Host host : lab.hosts()) {
            writeScript(host);
            clients.put(host, startClient(host));
        }
        for (NetnsLab.Host host : lab.hosts()) {
            awaitLease(host, 0, LEASE_WAIT);
        }
    }

    /** The namespaces, for exec, json and start; its static {@code underlayAddress} is not used here: see {@link #lease}. */
    public NetnsLab netns() {
        return lab;
    }

    /** The network the DHCP server hands out now. */
    public Cidr network() {
        return network;
    }

    /** The last lease {@code host} applied. */
    public Lease lease(NetnsLab.Host host) throws IOException {
        List<Event> events = events(host);
        for (Event e : events.reversed()) {
            if (isLease(e)) {
                return new Lease(e.address().orElseThrow(), e.at());
            }
        }
        throw new IllegalStateException("h" + host.number() + " has applied no lease; client output:\n" + clientOutput(host));
    }

    /**
     * The outage: stops dnsmasq, empties its lease file, starts it serving {@code to}, and makes
     * every host with a running client take a new lease ({@link Renewal#RELEASE_REBIND}).
     * Returns the new leases once all are applied.
     */
    public Map<NetnsLab.Host, Lease> outage(Cidr to) throws IOException, InterruptedException {
        return outage(to, List.copyOf(clients.keySet()), Renewal.RELEASE_REBIND);
    }

    /** The outage for {@code renewing} only, renewed {@code how}; other hosts keep their address until they renew. */
    public Map<NetnsLab.Host, Lease> outage(Cidr to, Collection<NetnsLab.Host> renewing, Renewal how)
            throws IOException, InterruptedException {
        if (!to.equals(NetnsLab.UNDERLAY) && !to.equals(NetnsLab.MOVED_UNDERLAY)) {
            throw new IllegalArgumentException("to: expected " + NetnsLab.UNDERLAY + " or " + NetnsLab.MOVED_UNDERLAY + ", got " + to);
        }
        for (NetnsLab.Host host : renewing) {
            if (!clients.containsKey(host)) {
                throw new IllegalArgumentException("h" + host.number() + " has no running DHCP client; startClient first");
            }
        }
        restartServer(to);
        Map<NetnsLab.Host, Integer> marks = new LinkedHashMap<>();
        for (NetnsLab.Host host : renewing) {
            marks.put(host, events(host).size());
        }
        if (how == Renewal.RELEASE_REBIND) {
            for (NetnsLab.Host host : renewing) {
                signal(host, "USR2");
            }
            // udhcpc only leaves the released state on SIGUSR1 once it is in it.
            for (NetnsLab.Host host : renewing) {
                awaitEvent(host, marks.get(host), "deconfig", LEASE_WAIT);
            }
        }
        for (NetnsLab.Host host : renewing) {
            signal(host, "USR1");
        }
        Map<NetnsLab.Host, Lease> leases = new LinkedHashMap<>();
        for (NetnsLab.Host host : renewing) {
            leases.put(host, awaitLease(host, marks.get(host), LEASE_WAIT.plus(Duration.ofSeconds(5))));
        }
        return leases;
    }

    /** Stops dnsmasq, empties its lease file and starts it again serving {@code to}. */
    public void restartServer(Cidr to) throws IOException, InterruptedException {
        server.stop(Duration.ofSeconds(5));
        Files.writeString(dir.resolve("leases"), "");
        startServer(to);
    }

    /** Kills {@code host}'s DHCP client (SIGKILL: no release); its address stays until the next client run. */
    public void stopClient(NetnsLab.Host host) {
        NetnsLab.Background client = clients.remove(host);
        if (client != null) {
            client.kill();
        }
    }

    /**
     * Starts {@code host}'s DHCP client as at boot (its underlay address flushed first) and waits
     * for the lease it applies.
     */
    public Lease bootClient(NetnsLab.Host host) throws IOException, InterruptedException {
        if (clients.containsKey(host)) {
            throw new IllegalStateException("h" + host.number() + "'s DHCP client is running");
        }
        lab.exec(host.namespace(), "ip", "-4", "address", "flush", "dev", host.device()).orThrow();
        int mark = events(host).size();
        clients.put(host, startClient(host));
        return awaitLease(host, mark, LEASE_WAIT);
    }

    /** Takes {@code host} off the network, as a crash or a pulled cable would: its switch port goes down. */
    public void disconnect(NetnsLab.Host host) throws IOException {
        lab.exec(lab.switchNamespace(), "ip", "link", "set", "p" + host.number(), "down").orThrow();
    }

    /** Puts {@code host} back on the network. */
    public void reconnect(NetnsLab.Host host) throws IOException {
        lab.exec(lab.switchNamespace(), "ip", "link", "set", "p" + host.number(), "up").orThrow();
    }

    /** What dnsmasq logged (--log-dhcp), for failure messages. */
    public String serverLog() {
        try {
            return Files.readString(dir.resolve("dnsmasq.log"));
        } catch (IOException e) {
            return "(no dnsmasq log: " + e.getMessage() + ")";
        }
    }

    /** What {@code host}'s client printed and the events its script logged, for failure messages. */
    public String clientOutput(NetnsLab.Host host) {
        NetnsLab.Background client = clients.get(host);
        String events;
        try {
            events = Files.readString(eventFile(host));
        } catch (IOException e) {
            events = "(none)";
        }
        return (client == null ? "(client not running)\n" : client.output()) + "events:\n" + events;
    }

    private void startServer(Cidr to) throws IOException, InterruptedException {
        serverGeneration++;
        Ipv4Address router = to.firstUsable();
        server = lab.start(lab.switchNamespace(), List.of("dnsmasq",
                "--conf-file=/dev/null", "--keep-in-foreground", "--no-hosts",
                "--no-resolv", "--port=0", "--interface=br0", "--bind-interfaces", "--dhcp-authoritative",
                // No ICMP check of offered addresses: it delays every offer by seconds and the lab knows
                // nobody else uses the range.
                "--no-ping", "--user=root",
                "--dhcp-range=" + router.plus(99) + "," + router.plus(198) + ",255.255.255.0," + LEASE_TIME.toMinutes() + "m",
                "--dhcp-option=option:router," + router,
                "--dhcp-leasefile=" + dir.resolve("leases"),
                "--pid-file=" + dir.resolve("dnsmasq.pid"),
                "--log-dhcp", "--log-facility=" + dir.resolve("dnsmasq.log")));
        network = to;
        Path pidFile = dir.resolve("dnsmasq.pid");
        // dnsmasq writes its pid file once its DHCP socket is bound: from then on it answers.
        Eventually.within(Duration.ofSeconds(10), "dnsmasq (generation " + serverGeneration + ") is up; log:\n" + server.output(),
                () -> Files.exists(pidFile) && Files.readString(pidFile).strip().equals(Long.toString(server.pid())));
    }

    private NetnsLab.Background startClient(NetnsLab.Host host) throws IOException {
        // -t 3 -T 1 -A 1: DISCOVER every second, a pause of one second after three unanswered,
        // forever (no -n), so a client keeps trying while the server is down.
        return lab.start(host.namespace(), List.of("busybox", "udhcpc", "-f", "-i", host.device(),
                "-s", script(host).toString(), "-p", dir.resolve("h" + host.number() + ".pid").toString(),
                "-t", "3", "-T", "1", "-A", "1"));
    }

    private void writeScript(NetnsLab.Host host) throws IOException {
        // udhcpc passes the event as $1 and the lease as $interface, $ip, $mask (prefix length), $router.
        String text = """
                #!/bin/sh
                # udhcpc event script of Mooring's DHCP lab (DhcpLab): it changes only this network
                # namespace's underlay address and default route, and logs each event with the time
                # the change was applied. It never touches /etc/resolv.conf or any other host file.
                events='%s'
                case "$1" in
                  deconfig|leasefail|nak)
                    [ "$1" = deconfig ] && %s -4 address flush dev "$interface"
                    echo "$1 - $(date +%%s%%N)" >> "$events" ;;
                  bound|renew)
                    [ "$1" = bound ] && %s -4 address flush dev "$interface"
                    %s address replace "$ip/${mask:-24}" brd + dev "$interface"
                    [ -n "$router" ] && %s route replace default via "${router%%%% *}" dev "$interface"
                    echo "$1 $ip $(date +%%s%%N)" >> "$events" ;;
                esac
                exit 0
                """.formatted(eventFile(host), ip, ip, ip, ip);
        Path script = script(host);
        Files.writeString(script, text);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private Path script(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + ".script");
    }

    private Path eventFile(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + ".events");
    }

    private void signal(NetnsLab.Host host, String signal) throws IOException {
        NetnsLab.Background client = clients.get(host);
        NetnsLab.run(List.of("kill", "-s", signal, Long.toString(client.pid()))).orThrow();
    }

    List<Event> events(NetnsLab.Host host) throws IOException {
        String text;
        try {
            text = Files.readString(eventFile(host));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Event> events = new ArrayList<>();
        int start = 0;
        // Only whole lines: the script may be appending right now.
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
            String[] f = text.substring(start, end).split(" ");
            long nanos = Long.parseLong(f[2]);
            events.add(new Event(f[0], f[1].equals("-") ? Optional.empty() : Optional.of(Ipv4Address.parse(f[1])),
                    Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L)));
        }
        return events;
    }

    private static boolean isLease(Event e) {
        return (e.name().equals("bound") || e.name().equals("renew")) && e.address().isPresent();
    }

    private Lease awaitLease(NetnsLab.Host host, int after, Duration timeout) throws IOException, InterruptedException {
        Event e = awaitEvent(host, after, "bound", timeout);
        Ipv4Address address = e.address().orElseThrow();
        if (!network.contains(address)) {
            throw new IllegalStateException("h" + host.number() + " was bound to " + address + ", outside " + network);
        }
        return new Lease(address, e.at());
    }

    private Event awaitEvent(NetnsLab.Host host, int after, String name, Duration timeout) throws InterruptedException {
        Event[] found = new Event[1];
        Eventually.within(timeout, "h" + host.number() + "'s DHCP client logs '" + name + "' (server serves " + network + ")",
                () -> {
                    List<Event> events = events(host);
                    for (Event e : events.subList(Math.min(after, events.size()), events.size())) {
                        if (e.name().equals(name)) {
                            found[0] = e;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** Kills dnsmasq and every client (by PID), deletes the namespaces and the lab's files. */
    @Override
    public void close() {
        lab.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("DhcpLab: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
