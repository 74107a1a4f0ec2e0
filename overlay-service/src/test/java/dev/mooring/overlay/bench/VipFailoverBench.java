package dev.mooring.overlay.bench;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.UdpProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code vip-failover-after-sigkill}: milliseconds from the crash of the VIP holder to the VIP
 * answering from the other control-plane host, over {@value #KILLS} crashes (needs root), with
 * keepalived (Debian's package, VRRPv3) measured in the same lab and the same run as baselines:
 * at Mooring's heartbeat rate ({@code advert_int 0.25}, the figure's baseline) and at its default
 * ({@code advert_int 1}, figure {@code vip-failover-after-sigkill-keepalived-default}).
 *
 * <p>Lab: a {@link DhcpLab} with h1, h2 control-plane and h3 a worker that sends a UDP echo to the
 * VIP every {@value #PROBE_MS} ms; h1 and h2 answer with their names. A crash is SIGKILL to the
 * holder's process (Mooring's service, or keepalived with its VRRP child) and its switch port down
 * in the same instant, as a dead machine looks to the network; the sample ends at the first answer
 * from the other host. Before the next crash the dead host "reboots": its VIP is gone from its
 * kernel, its port comes up, its process starts again, and the lab waits for a single holder
 * and then {@code SETTLE} (5 s) more, so every crash starts from the steady state.
 * Mooring runs with its defaults (announce 250 ms, dead after 1 s); keepalived's VIP lives on the
 * underlay ({@code eth0}, .250 of the DHCP network), Mooring's on {@code mooring0}; Mooring's
 * services are stopped while keepalived is measured. Run: {@code bench/run VipFailoverBench}.
 */
public final class VipFailoverBench {

    static final int KILLS = 10;
    static final int PROBE_MS = 10;
    private static final Duration GIVE_UP = Duration.ofSeconds(60);
    /** Longer than keepalived's master-down interval at advert_int 1 (3.6 s) and Mooring's dead timeout (1 s). */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    /** One contender: how it starts on a host, which host holds the VIP now, how a crashed host forgets the VIP. */
    private interface Contender {
        void start(NetnsLab.Host host) throws Exception;

        void kill(NetnsLab.Host host) throws Exception;

        List<NetnsLab.Host> holders() throws IOException;

        void forgetVip(NetnsLab.Host host) throws Exception;

        /** What the processes printed, for a failure message. */
        String logs();
    }

    public static void main(String[] args) throws Exception {
        if (!BenchPeers.runningAsRoot("VipFailoverBench")) {
            return;
        }
        List<Double> mooring;
        List<Double> keepalivedFast;
        List<Double> keepalivedDefault;
        Path dir = Files.createTempDirectory("mr-bench-vrrp-");
        try (DhcpLab dhcp = DhcpLab.create(3);
             OverlayHosts overlay = new OverlayHosts(dhcp.netns(), 2, OverlayHosts.Settings.defaults());
             UdpProbe probe = new UdpProbe(Duration.ofMillis(PROBE_MS))) {
            NetnsLab lab = dhcp.netns();
            List<NetnsLab.Host> controlPlanes = List.of(lab.host(1), lab.host(2));
            NetnsLab.Host worker = lab.host(3);
            for (NetnsLab.Host host : controlPlanes) {
                probe.respond("h" + host.number(), host.namespaceFile());
            }
            Ipv4Address vrrpVip = dhcp.network().firstUsable().plus(249);
            probe.probe("mooring", worker.namespaceFile(), overlay.settings().vip());
            probe.probe("keepalived", worker.namespaceFile(), vrrpVip);

            overlay.start(worker);
            mooring = crashes("mooring", dhcp, probe, controlPlanes, new Contender() {
                @Override
                public void start(NetnsLab.Host host) throws Exception {
                    overlay.start(host);
                }

                @Override
                public void kill(NetnsLab.Host host) {
                    overlay.kill(host);
                }

                @Override
                public List<NetnsLab.Host> holders() throws IOException {
                    return overlay.vipHolders(lab.hosts());
                }

                @Override
                public void forgetVip(NetnsLab.Host host) throws IOException {
                    overlay.forgetKernelState(host);
                }

                @Override
                public String logs() {
                    return overlay.logs();
                }
            });
            overlay.stop(worker);
            keepalivedFast = crashes("keepalived", dhcp, probe, controlPlanes, new Keepalived(lab, dir, vrrpVip, "0.25"));
            keepalivedDefault = crashes("keepalived", dhcp, probe, controlPlanes, new Keepalived(lab, dir, vrrpVip, "1"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String version = keepalivedVersion();
        System.out.println("{\"figure\":\"vip-failover-after-sigkill\",\"unit\":\"ms\",\"samples\":" + BenchPeers.json(mooring)
                + ",\"baseline\":{\"name\":\"" + version + " VRRPv3 advert_int 0.25 s (Mooring's heartbeat)\",\"samples\":"
                + BenchPeers.json(keepalivedFast) + "},\"notes\":\"crash = SIGKILL + switch port down; until the VIP answers a UDP echo"
                + " (every " + PROBE_MS + " ms) from the other control-plane host; Mooring: announce 250 ms, a holder unheard for 750 ms (suspect) loses the VIP\"}");
        System.out.println("{\"figure\":\"vip-failover-after-sigkill-keepalived-default\",\"unit\":\"ms\",\"samples\":"
                + BenchPeers.json(keepalivedDefault) + ",\"notes\":\"" + version + " VRRPv3 at its default advert_int 1 s, same lab"
                + " and run as vip-failover-after-sigkill\"}");
    }

    /** {@value #KILLS} crashes of whichever host holds the VIP; returns the failover times in ms. */
    private static List<Double> crashes(String label, DhcpLab dhcp, UdpProbe probe, List<NetnsLab.Host> controlPlanes,
                                        Contender contender) throws Exception {
        for (NetnsLab.Host host : controlPlanes) {
            contender.start(host);
        }
        List<Double> samples = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            NetnsLab.Host holder = awaitSingleHolder(label, probe, contender);
            // From the steady state: a host that just restarted may still be electing, which would
            // measure its start-up timers instead of a failover.
            Thread.sleep(SETTLE);
            if (!contender.holders().equals(List.of(holder))) {
                holder = awaitSingleHolder(label, probe, contender);
                Thread.sleep(SETTLE);
            }
            NetnsLab.Host other = controlPlanes.get(0).equals(holder) ? controlPlanes.get(1) : controlPlanes.get(0);
            long crashed = System.nanoTime();
            dhcp.disconnect(holder);
            contender.kill(holder);
            Optional<UdpProbe.Answer> answer = probe.firstAnswer(label, crashed, name -> name.equals("h" + other.number()), GIVE_UP);
            if (answer.isEmpty()) {
                throw new IllegalStateException(label + ": the VIP never answered from h" + other.number() + " after h"
                        + holder.number() + " crashed; holders now " + contender.holders() + "\n" + contender.logs());
            }
            double ms = (answer.get().receivedNanos() - crashed) / 1e6;
            System.err.printf("%s crash %d of h%d: h%d answers after %.1f ms%n", label, kill, holder.number(), other.number(), ms);
            samples.add(ms);
            contender.forgetVip(holder);
            dhcp.reconnect(holder);
            contender.start(holder);
        }
        for (NetnsLab.Host host : controlPlanes) {
            contender.kill(host);
            contender.forgetVip(host);
        }
        return samples;
    }

    /** Waits until one host holds the VIP and answers for it, the same single holder before and after the answer. */
    private static NetnsLab.Host awaitSingleHolder(String label, UdpProbe probe, Contender contender) throws Exception {
        AtomicReference<NetnsLab.Host> seen = new AtomicReference<>();
        Eventually.within(GIVE_UP, label + ": exactly one host holds the VIP and answers for it", () -> {
            List<NetnsLab.Host> holders = contender.holders();
            if (holders.size() != 1) {
                return false;
            }
            seen.set(holders.getFirst());
            return probe.firstAnswer(label, System.nanoTime(), name -> name.equals("h" + seen.get().number()), Duration.ofSeconds(1))
                    .isPresent() && contender.holders().equals(holders);
        });
        return seen.get();
    }

    private static String keepalivedVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("keepalived", "--version").redirectErrorStream(true).start();
        String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("keepalived").strip();
        p.waitFor();
        return first.split(" \\(")[0];
    }

    /**
     * keepalived in the lab's control-plane namespaces: one VRRPv3 instance on {@code eth0}, h1 with
     * priority 150 and h2 with 100 (both start as BACKUP; preemption on, as by default), the VIP as
     * a /32 on {@code eth0}. Config and pid files in {@code dir}; processes started through the lab,
     * so killed by PID when it closes.
     */
    private static final class Keepalived implements Contender {
        private final NetnsLab lab;
        private final Path dir;
        private final Ipv4Address vip;
        private final String advertInterval;
        private final Map<NetnsLab.Host, NetnsLab.Background> processes = new LinkedHashMap<>();
        private final List<NetnsLab.Background> started = new ArrayList<>();

        Keepalived(NetnsLab lab, Path dir, Ipv4Address vip, String advertInterval) throws IOException {
            this.lab = lab;
            this.dir = Files.createDirectories(dir.resolve("advert-" + advertInterval));
            this.vip = vip;
            this.advertInterval = advertInterval;
        }

        @Override
        public void start(NetnsLab.Host host) throws IOException {
            String name = "h" + host.number();
            Path config = Files.writeString(dir.resolve(name + ".conf"), """
                    global_defs {
                        router_id %s
                        vrrp_version 3
                    }
                    vrrp_instance mooring_bench {
                        state BACKUP
                        interface %s
                        virtual_router_id 51
                        priority %d
                        advert_int %s
                        virtual_ipaddress {
                            %s/32 dev %s
                        }
                    }
                    """.formatted(name, host.device(), host.number() == 1 ? 150 : 100, advertInterval, vip, host.device()));
            // Fresh pid files per start: a killed child may linger as a zombie under a PID 1 that does
            // not reap, and keepalived refuses to start while the PID in its pid file exists.
            String run = name + "-" + started.size();
            NetnsLab.Background process = lab.start(host.namespace(), List.of("keepalived", "--dont-fork", "--log-console",
                    "--no-syslog", "--vrrp", "--use-file=" + config, "--pid=" + dir.resolve(run + ".pid"),
                    "--vrrp_pid=" + dir.resolve(run + ".vrrp.pid")));
            processes.put(host, process);
            started.add(process);
        }

        /**
         * SIGKILL to keepalived and its VRRP child (the parent first, so it cannot respawn the
         * child; the child's parent-death SIGTERM may win the race, but its cable is already out).
         */
        @Override
        public void kill(NetnsLab.Host host) {
            NetnsLab.Background process = processes.remove(host);
            if (process != null) {
                process.kill();
            }
        }

        @Override
        public List<NetnsLab.Host> holders() throws IOException {
            List<NetnsLab.Host> holders = new ArrayList<>();
            for (NetnsLab.Host host : lab.hosts()) {
                String addresses = lab.exec(host.namespace(), "ip", "-4", "-o", "address", "show", "dev", host.device()).orThrow().stdout();
                if (addresses.contains(" " + vip + "/32 ")) {
                    holders.add(host);
                }
            }
            return holders;
        }

        @Override
        public String logs() {
            StringBuilder out = new StringBuilder();
            started.forEach(p -> out.append("--- ").append(String.join(" ", p.command())).append('\n').append(p.output()));
            return out.toString();
        }

        @Override
        public void forgetVip(NetnsLab.Host host) throws IOException {
            NetnsLab.Result result = lab.exec(host.namespace(), "ip", "address", "del", vip + "/32", "dev", host.device());
            if (!result.succeeded() && !result.stderr().contains("Address not found") && !result.stderr().contains("Cannot assign")) {
                result.orThrow();
            }
        }
    }
}
