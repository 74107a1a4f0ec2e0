package dev.mooring.overlay.cli;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link NetnsLab} whose hosts run {@code mooring overlay run} as separate processes: host n
 * has overlay address 100.64.192.(10+n), its peers are all the other hosts, its config and
 * status file live in {@code dir}.
 */
final class OverlayLab implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(30);

    final NetnsLab lab;
    private final Path dir;

    OverlayLab(int hosts, Path dir) throws IOException {
        this.lab = NetnsLab.create(hosts);
        this.dir = dir;
    }

    static Ipv4Address overlayAddress(NetnsLab.Host host) {
        return Ipv4Address.parse("100.64.192.10").plus(host.number());
    }

    Path statusFile(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + ".json");
    }

    /** Writes host's overlay.yaml; {@code overlayExtra} is added to the overlay mapping. */
    Path config(NetnsLab.Host host, String overlayExtra) throws IOException {
        String peers = lab.hosts().stream().filter(h -> !h.equals(host))
                .map(h -> "  - {host: h" + h.number() + ", address: " + overlayAddress(h) + ", underlay: " + lab.underlayAddress(h) + "}")
                .collect(Collectors.joining("\n"));
        return Files.writeString(dir.resolve("h" + host.number() + ".yaml"), """
                host: {name: h%d}
                role: %s
                overlay:
                  address: %s%s
                peers:
                %s
                status: %s
                state: %s
                """.formatted(host.number(), host.number() == 1 ? "control-plane" : "worker", overlayAddress(host),
                overlayExtra.isEmpty() ? "" : "\n  " + overlayExtra, peers.isEmpty() ? "  []" : peers, statusFile(host),
                stateDirectory(host)));
    }

    /** The cluster key of every discovery config this lab writes (documentation only: 0x00..0x1f). */
    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /**
     * Writes host's overlay.yaml for discovery: no address and no peers, the lab's key, host id
     * {@code lab-h<n>} (the namespaces share /etc/machine-id, so the id must be given), role
     * control-plane for h1 and h2; {@code extra} is appended at the top level.
     */
    Path discoveryConfig(NetnsLab.Host host, String extra) throws IOException {
        return Files.writeString(dir.resolve("h" + host.number() + ".yaml"), """
                cluster: lab
                host: {name: h%d, id: lab-h%d}
                role: %s
                overlay: {key: %s}
                status: %s
                state: %s
                %s
                """.formatted(host.number(), host.number(), host.number() <= 2 ? "control-plane" : "worker", KEY,
                statusFile(host), stateDirectory(host), extra));
    }

    /** Where host keeps its identity; it survives restarts of the service, as /var/lib does. */
    Path stateDirectory(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + "-state");
    }

    /** {@code java ... OverlayCommand ARGS} as the process list, optionally prefixed (e.g. setpriv). */
    static List<String> overlayCommand(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(NetnsLab.javaCommand(OverlayCommand.class, args));
        return command;
    }

    /** Starts {@code overlay run} on host and waits until its status file says ready. */
    NetnsLab.Background start(NetnsLab.Host host) throws IOException, InterruptedException {
        Path config = dir.resolve("h" + host.number() + ".yaml");
        if (!Files.exists(config)) {
            config(host, "");
        }
        Files.deleteIfExists(statusFile(host));
        NetnsLab.Background service = lab.start(host.namespace(), overlayCommand(List.of(), "run", "--config", config.toString()));
        Eventually.within(START, "h" + host.number() + " ready; log:\n" + service.output(),
                () -> OverlayStatus.read(statusFile(host)).state().equals("ready"));
        return service;
    }

    /** Runs an {@code overlay} command to completion on host. */
    NetnsLab.Result overlay(NetnsLab.Host host, List<String> prefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("timeout", "60"));
        command.addAll(overlayCommand(prefix, args));
        return lab.exec(host.namespace(), command.toArray(String[]::new));
    }

    List<String> oracle(NetnsLab.Host host) throws IOException {
        return KernelOracle.snapshot(lab, host.namespace());
    }

    NetnsLab.Result ping(NetnsLab.Host from, NetnsLab.Host to, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("ping", "-n", "-c", "1", "-W", "2"));
        command.addAll(List.of(options));
        command.add(overlayAddress(to).toString());
        return lab.exec(from.namespace(), command.toArray(String[]::new));
    }

    @Override
    public void close() {
        lab.close();
    }
}
