package dev.mooring.k8s.lab;

import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.k8s.render.OverlayView;
import dev.mooring.k8s.render.PrepareInput;
import dev.mooring.k8s.render.Readiness;
import dev.mooring.k8s.render.Renderer;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The etcd outage drill on three lab hosts that run the overlay ({@link OverlayHosts}, all three
 * control-plane) on DHCP ({@link DhcpLab}): an etcd cluster whose configuration is exactly what
 * {@code mooring k8s prepare} renders for each host ({@link Renderer}, distribution etcd,
 * control-plane-count 3), bound either to the overlay addresses from each host's status file, or,
 * for the control experiment, to the hosts' underlay (DHCP) addresses through the same renderer.
 * A writer on h1 puts keys continuously while the DHCP outage moves every host to the other network.
 */
public final class EtcdOutageDrill {

    /** What the etcd members are bound to. */
    public enum Binding { OVERLAY, UNDERLAY }

    /** From start to a healthy cluster (three etcd processes and three overlay JVMs on two shared cores). */
    static final Duration FORM = Duration.ofSeconds(90);
    /** How long writes are watched after the last new lease. */
    static final Duration AFTER = Duration.ofSeconds(5);
    static final String PREFIX = "/drill/";

    private final DhcpLab dhcp;
    private final OverlayHosts overlay;
    private final EtcdMembers etcd;
    private final Binding binding;
    private final String run;
    private List<String> membersBefore = List.of();
    private Map<NetnsLab.Host, Map<String, String>> environments = Map.of();

    /**
     * One drill's result.
     *
     * @param gap            the longest time without an acknowledged write around the outage
     * @param leaseSpreadMillis from the start of the gap to the moment the last host applied its new
     *                       lease: the time some host had no usable underlay address, which no binding
     *                       can write through
     * @param resumedAfterLastLeaseMillis from the last new lease to the first write acknowledged after
     *                       it (-1: none)
     * @param acknowledged   writes acknowledged in the whole run
     * @param healthy        hosts whose member answers {@code etcdctl endpoint health} as healthy afterwards
     * @param membersBefore  {@code etcdctl member list} before the outage (name, id, peer URLs)
     * @param membersAfter   the same afterwards, as the first member that answers lists them (empty: none answered)
     * @param lostWrites     acknowledged keys missing from a read afterwards (null: the read failed)
     * @param from           the network before the outage
     * @param to             the network after it
     */
    public record Outcome(Binding binding, EtcdWriter.Gap gap, double leaseSpreadMillis, double resumedAfterLastLeaseMillis,
                          int acknowledged, int acknowledgedAfter, List<String> healthy,
                          List<String> membersBefore, List<String> membersAfter, List<String> lostWrites, String readError,
                          Cidr from, Cidr to, String healthDetails) {

        public boolean survived() {
            return healthy.size() == 3 && membersAfter.equals(membersBefore) && lostWrites != null && lostWrites.isEmpty()
                    && acknowledgedAfter > 0;
        }

        /** One row of the side-by-side report. */
        public String row() {
            return String.format("%-8s | %-44s | %-9s | %-9s | %-16s | %-8s | %s", binding, gap, acknowledged, acknowledgedAfter,
                    healthy.size() + "/3 " + healthy, membersAfter.equals(membersBefore) ? "same" : (membersAfter.isEmpty() ? "no answer" : "changed"),
                    lostWrites == null ? "read failed: " + readError : lostWrites.size() + " of " + acknowledged + " missing");
        }

        public static String header() {
            return String.format("%-8s | %-44s | %-9s | %-9s | %-16s | %-8s | %s", "bound to", "longest gap between acknowledged writes",
                    "acked", "acked after", "healthy after", "members", "acknowledged writes readable after");
        }
    }

    public EtcdOutageDrill(DhcpLab dhcp, OverlayHosts overlay, EtcdMembers etcd, Binding binding, String run) {
        this.dhcp = dhcp;
        this.overlay = overlay;
        this.etcd = etcd;
        this.binding = binding;
        this.run = run;
    }

    /** Renders every host's etcd configuration, starts the members and waits until all three are healthy. */
    public void form() throws Exception {
        List<NetnsLab.Host> hosts = dhcp.netns().hosts();
        Map<NetnsLab.Host, OverlayView> views = new LinkedHashMap<>();
        for (NetnsLab.Host host : hosts) {
            ClusterFile cluster = clusterFile(host);
            OverlayView[] view = new OverlayView[1];
            // prepare's own wait: ready, and all three control-plane hosts known (settled, not tentative).
            overlay.awaitTrue(FORM, "h" + host.number() + "'s overlay status is ready and knows 3 control-plane hosts", () -> {
                view[0] = OverlayView.of(OverlayStatus.read(overlay.statusFile(host)));
                return Readiness.missing(cluster, view[0]).isEmpty();
            });
            views.put(host, binding == Binding.OVERLAY ? view[0] : underlayView(view[0]));
        }
        Map<NetnsLab.Host, Map<String, String>> envs = new LinkedHashMap<>();
        for (NetnsLab.Host host : hosts) {
            Path data = etcd.dataDirectory(host, run);
            PrepareInput input = new PrepareInput(clusterFile(host), views.get(host),
                    new PrepareInput.EtcdData(data, Files.isDirectory(data.resolve("member"))));
            envs.put(host, EtcdMembers.environment(Renderer.render(input)));
        }
        // Bench-only knobs to compare tunings (never set by the tests): extra etcd variables and sysctls
        // applied in every host's namespace, e.g. -Dmooring.lab.sysctl=net.ipv4.tcp_thin_linear_timeouts=1.
        for (String kv : List.of(System.getProperty("mooring.lab.etcd-env", "").split(","))) {
            if (!kv.isBlank()) {
                envs.values().forEach(e -> e.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
            }
        }
        for (String kv : List.of(System.getProperty("mooring.lab.sysctl", "").split(","))) {
            if (!kv.isBlank()) {
                for (NetnsLab.Host host : hosts) {
                    dhcp.netns().exec(host.namespace(), "sysctl", "-q", "-w", kv).orThrow();
                }
            }
        }
        environments = envs;
        for (NetnsLab.Host host : hosts) {
            etcd.start(host, envs.get(host));
        }
        try {
            Eventually.within(FORM, "all three etcd members are healthy (" + binding + ")", () -> {
                if (!etcd.allAlive()) {
                    throw new AssertionError("an etcd member exited:\n" + etcd.logs(30));
                }
                for (NetnsLab.Host h : hosts) {
                    if (!etcd.healthy(h)) {
                        return false;
                    }
                }
                return true;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + etcd.logs(30), e);
        }
        membersBefore = etcd.memberList(hosts.getFirst());
    }

    /** The etcd environment prepare rendered for each host (for the report). */
    public Map<NetnsLab.Host, Map<String, String>> environments() {
        return environments;
    }

    /**
     * Writes continuously from h1, runs the outage to the other network, watches writes for
     * {@link #AFTER} after the last new lease, then checks health, members and every acknowledged key.
     */
    public Outcome outage(Duration settle) throws Exception {
        List<NetnsLab.Host> hosts = dhcp.netns().hosts();
        NetnsLab.Host writerHost = hosts.getFirst();
        Cidr from = dhcp.network();
        Cidr to = from.equals(NetnsLab.UNDERLAY) ? NetnsLab.MOVED_UNDERLAY : NetnsLab.UNDERLAY;
        List<EtcdWriter.Ack> acks;
        long start;
        long leasesApplied;
        long end;
        long lastLease;
        try (EtcdWriter writer = new EtcdWriter(writerHost.namespaceFile(), PREFIX + run + "/")) {
            Eventually.within(Duration.ofSeconds(30), "the writer's first acknowledged write", () -> !writer.acks().isEmpty());
            Thread.sleep(500);
            java.time.Instant wallStart = java.time.Instant.now();
            start = System.nanoTime();
            Map<NetnsLab.Host, DhcpLab.Lease> leases = dhcp.outage(to);
            leasesApplied = System.nanoTime();
            lastLease = start + leases.values().stream()
                    .mapToLong(l -> Duration.between(wallStart, l.applied()).toNanos()).max().orElseThrow();
            Thread.sleep(AFTER.toMillis());
            end = System.nanoTime();
            writer.close();
            acks = writer.acks();
        }
        EtcdWriter.Gap gap = EtcdWriter.longestGap(acks, start, leasesApplied, end);
        int after = (int) acks.stream().filter(a -> a.atNanos() > leasesApplied).count();
        long gapStart = acks.stream().mapToLong(EtcdWriter.Ack::atNanos).filter(t -> t <= lastLease).max().orElse(start);
        double spread = (lastLease - Math.max(gapStart, start)) / 1e6;
        double resumed = acks.stream().mapToLong(EtcdWriter.Ack::atNanos).filter(t -> t > lastLease).findFirst()
                .stream().mapToDouble(t -> (t - lastLease) / 1e6).findFirst().orElse(-1);
        // Health afterwards: the overlay-bound cluster gets `settle` to be healthy again (it needs none
        // in practice); the control gets the same time before it is judged.
        List<String> healthy = new ArrayList<>();
        StringBuilder details = new StringBuilder();
        long deadline = System.nanoTime() + settle.toNanos();
        for (NetnsLab.Host h : hosts) {
            boolean ok = etcd.healthy(h);
            while (!ok && System.nanoTime() < deadline) {
                Thread.sleep(250);
                ok = etcd.healthy(h);
            }
            NetnsLab.Result r = etcd.health(h);
            details.append("h").append(h.number()).append(": ").append((r.stdout() + r.stderr()).strip().replace('\n', ' ')).append('\n');
            if (ok) {
                healthy.add("h" + h.number());
            }
        }
        List<String> membersAfter = List.of();
        for (NetnsLab.Host h : hosts) {
            try {
                membersAfter = etcd.memberList(h);
                break;
            } catch (IOException | IllegalStateException e) {
                details.append("member list via h").append(h.number()).append(": ").append(e.getMessage().strip()).append('\n');
            }
        }
        List<String> lost = null;
        String readError = null;
        try {
            TreeSet<String> keys = etcd.keys(hosts.get(1), PREFIX + run + "/");
            lost = acks.stream().map(EtcdWriter.Ack::key).filter(k -> !keys.contains(k)).toList();
        } catch (IOException | IllegalStateException e) {
            readError = e.getMessage().strip().lines().findFirst().orElse("?");
        }
        return new Outcome(binding, gap, spread, resumed, acks.size(), after, healthy, membersBefore, membersAfter, lost, readError, from, to,
                details.toString());
    }

    private ClusterFile clusterFile(NetnsLab.Host host) {
        return new ClusterFile(1, "drill", "h" + host.number(), ClusterFile.Role.CONTROL_PLANE, host.number() == 1,
                new ClusterFile.Kubernetes(ClusterFile.Distribution.ETCD, Optional.empty(), Optional.empty(), 3));
    }

    /** The control experiment's view: every control-plane host at its current underlay (DHCP) address. */
    private OverlayView underlayView(OverlayView v) throws IOException {
        Map<String, Ipv4Address> underlay = new LinkedHashMap<>();
        for (NetnsLab.Host h : dhcp.netns().hosts()) {
            underlay.put("h" + h.number(), dhcp.lease(h).address());
        }
        return new OverlayView(v.state(), v.host(), v.role(), underlay.get(v.host()), v.vip(), v.vxlanPort(),
                v.controlPlanes().stream().map(m -> new OverlayView.Member(m.host(), underlay.get(m.host()))).toList());
    }

}
