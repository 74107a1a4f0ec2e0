package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.AddressDerivation;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.identity.IdentityException;
import dev.mooring.overlay.identity.IdentityStore;
import dev.mooring.overlay.kernel.InMemoryKernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.testing.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over an in-memory kernel, without discovery (discovery sends real datagrams, so it
 * is tested in network namespaces): readiness, status, metrics, the persisted identity, derived
 * addresses and underlay changes.
 */
class OverlayServiceTest {

    @TempDir
    Path dir;
    private final InMemoryKernel kernel = new InMemoryKernel();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private Path status;
    private OverlayService service;
    private Thread loop;

    @BeforeEach
    void underlay() throws Exception {
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", Ipv4Address.parse("198.51.100.11"), 24));
        kernel.addDefaultRoute("eth0", Ipv4Address.parse("198.51.100.1"));
        status = dir.resolve("overlay.json");
    }

    @AfterEach
    void stopService() throws Exception {
        if (service != null) {
            service.stop(Duration.ofSeconds(5));
            loop.join(5000);
        }
    }

    private OverlayConfig config(String overlay, String extra) throws Exception {
        return OverlayConfigLoader.parse(dir.resolve("overlay.yaml"), """
                host: {name: h1, id: h1-id}
                role: control-plane
                overlay: %s
                peers:
                  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
                status: %s
                state: %s
                %s
                """.formatted(overlay, status, dir.resolve("state"), extra), Optional.empty());
    }

    private OverlayService service(OverlayConfig config, SystemdNotifier notifier) {
        return new OverlayService(config, kernel, () -> {
            throw new AssertionError("without discovery no VIP is elected, so no ARP sender is opened");
        }, notifier, Clock.systemUTC(), Duration.ofHours(1), log::add);
    }

    /** Starts the service on its own thread and waits for its status file to say ready. */
    private void start(OverlayConfig config) throws Exception {
        service = service(config, SystemdNotifier.to(null));
        AtomicReference<Exception> failed = new AtomicReference<>();
        loop = Thread.ofPlatform().start(() -> {
            try {
                service.run();
            } catch (Exception e) {
                failed.set(e);
            }
        });
        Eventually.within(Duration.ofSeconds(10), "ready; log: " + log,
                () -> failed.get() == null && Files.exists(status) && OverlayStatus.read(status).state().equals("ready"));
        assertThat(failed.get()).isNull();
    }

    @Test
    void comesUpReportsReadyRepairsAndStopsWithoutTearingDown() throws Exception {
        OverlayConfig config = config("{address: 100.64.192.10}", "metrics: off");
        String socket = "@mooring-service-test-" + ThreadLocalRandom.current().nextInt(1 << 30);
        try (NotifySocket systemd = new NotifySocket(socket)) {
            service = service(config, SystemdNotifier.to(socket));
            loop = Thread.ofPlatform().start(() -> {
                try {
                    service.run();
                } catch (Exception e) {
                    log.add("run failed: " + e);
                }
            });

            assertThat(systemd.receive(Duration.ofSeconds(10))).contains("READY=1\nSTATUS=overlay 100.64.192.10 up, 1 peers");
            OverlayStatus ready = OverlayStatus.read(status);
            assertThat(ready.version()).isEqualTo(2);
            assertThat(ready.state()).isEqualTo("ready");
            assertThat(ready.hostId()).isEqualTo("h1-id");
            assertThat(ready.incarnation()).isEqualTo(1);
            assertThat(ready.overlay().mac()).isEqualTo("02:00:64:40:c0:0a");
            assertThat(ready.overlay().addressSource()).isEqualTo("static");
            assertThat(ready.underlay().device()).isEqualTo("eth0");
            assertThat(ready.reconcile().changesApplied()).isEqualTo(9);
            assertThat(ready.vip().elected()).isFalse();
            assertThat(ready.discovery().enabled()).isFalse();
            assertThat(ready.members()).isEmpty();
            assertThat(ready.peers()).extracting(OverlayStatus.PeerStatus::host).containsExactly("h2");
            assertThat(ready.metrics()).isNull();
            assertThat(log).anyMatch(l -> l.startsWith("ready: mooring0 100.64.192.10/23 (static) via eth0, 1 peers")
                    && l.contains("discovery off (no overlay.key)"));

            kernel.apply(new KernelChange.DeleteFdb("mooring-vx", MacAddress.ZERO, Ipv4Address.parse("198.51.100.12")));
            Eventually.within(Duration.ofSeconds(5), "the FDB entry is back and counted",
                    () -> OverlayStatus.read(status).reconcile().changesApplied() == 10);
            assertThat(log).anyMatch(l -> l.startsWith("applied 1 changes"));

            KernelState before = kernel.observe();
            service.stop(Duration.ofSeconds(5));
            loop.join(5000);
            assertThat(loop.isAlive()).isFalse();
            assertThat(kernel.observe()).isEqualTo(before);
            assertThat(OverlayStatus.read(status).state()).isEqualTo("stopped");
            assertThat(systemd.receive(Duration.ofSeconds(5))).contains("STOPPING=1");
            assertThat(log).noneMatch(l -> l.startsWith("run failed"));
        }
        service = null;
        assertThat(new IdentityStore(dir.resolve("state")).load()).get()
                .satisfies(i -> assertThat(i.overlay()).isEqualTo(Ipv4Address.parse("100.64.192.10")));
    }

    @Test
    void theMetricsEndpointServesThePassesOverHttp() throws Exception {
        start(config("{address: 100.64.192.10}", "metrics: 127.0.0.1:0"));
        // The endpoint starts after READY, and the status names it from then on.
        Eventually.within(Duration.ofSeconds(10), "the status names the metrics endpoint; log: " + log,
                () -> OverlayStatus.read(status).metrics() != null);
        String url = OverlayStatus.read(status).metrics();
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/metrics");

        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
            assertThat(page.body()).containsPattern("\nmooring_reconcile_passes_total [1-9]\n").contains("mooring_reconcile_changes_total 9\n",
                    "mooring_overlay_peers{state=\"alive\"} 0\n", "mooring_discovery_dropped_total{reason=\"bad-hmac\"} 0\n",
                    "mooring_vip_held 0\n");

            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(url.replace("/metrics", "/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void anUnderlayAddressChangeIsSeenAndCounted() throws Exception {
        start(config("{address: 100.64.192.10}", "metrics: off"));
        kernel.apply(new KernelChange.AddAddress("eth0", Ipv4Address.parse("203.0.113.11"), 24));
        kernel.apply(new KernelChange.DeleteAddress("eth0", Ipv4Address.parse("198.51.100.11"), 24));

        Eventually.within(Duration.ofSeconds(5), "the status shows the new underlay address",
                () -> OverlayStatus.read(status).underlay().addresses().equals(List.of("203.0.113.11")));
        assertThat(service.metrics().underlayChanges()).isBetween(1L, 2L);
        assertThat(log).anyMatch(l -> l.startsWith("underlay changed: eth0 198.51.100.11") && l.endsWith("-> eth0 203.0.113.11"));
    }

    @Test
    void withoutAnAddressOrDiscoveryTheHostIdsCandidateIsUsedAndKept() throws Exception {
        OverlayConfig config = config("{}", "metrics: off");
        start(config);
        Ipv4Address derived = new AddressDerivation(Cidr.parse("100.64.192.0/23"), Ipv4Address.parse("100.64.192.1"))
                .candidate("h1-id");
        OverlayStatus first = OverlayStatus.read(status);
        assertThat(first.overlay().address()).isEqualTo(derived.toString());
        assertThat(first.overlay().addressSource()).isEqualTo("derived");
        service.stop(Duration.ofSeconds(5));
        loop.join(5000);

        Files.delete(status);
        start(config);
        OverlayStatus second = OverlayStatus.read(status);
        assertThat(second.overlay().address()).isEqualTo(derived.toString());
        assertThat(second.overlay().addressSource()).isEqualTo("persisted");
        assertThat(second.incarnation()).isEqualTo(first.incarnation() + 1);
        assertThat(second.reconcile().changesApplied()).isZero();
    }

    @Test
    void aChangedVipIsRefusedBeforeTheKernelIsTouched() throws Exception {
        start(config("{address: 100.64.192.10}", "metrics: off"));
        service.stop(Duration.ofSeconds(5));
        loop.join(5000);
        service = null;
        KernelState before = kernel.observe();

        OverlayService changed = service(config("{address: 100.64.192.10, vip: 100.64.192.2}", "metrics: off"),
                SystemdNotifier.to(null));
        assertThatThrownBy(changed::run).isInstanceOf(IdentityException.Conflict.class)
                .hasMessageContaining("the VIP of this cluster is fixed at 100.64.192.1")
                .hasMessageContaining("says 100.64.192.2");
        assertThat(kernel.observe()).isEqualTo(before);
    }

    /** This start is counted on a thread of its own, beside the kernel's first reading; its failure still stops the start. */
    @Test
    void aStartThatCannotBeCountedFailsBeforeTheKernelIsChanged() throws Exception {
        start(config("{address: 100.64.192.10}", "metrics: off"));
        service.stop(Duration.ofSeconds(5));
        loop.join(5000);
        service = null;
        // A lost VXLAN device, which a start that went on would add again.
        kernel.apply(new KernelChange.DeleteLink(DesiredState.VXLAN));
        KernelState before = kernel.observe();
        // The store writes identity.json.tmp, then renames it: a directory in that place (with something in it, so
        // that not even root can replace it) makes the write fail, whoever runs the test.
        Files.createDirectories(dir.resolve("state/identity.json.tmp/occupied"));

        OverlayService again = service(config("{address: 100.64.192.10}", "metrics: off"), SystemdNotifier.to(null));
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread attempt = Thread.ofPlatform().start(() -> {
            try {
                again.run();
            } catch (Exception e) {
                failure.set(e);
            }
        });
        attempt.join(10_000);
        if (attempt.isAlive()) { // it came up regardless: stop it, and the assertions below say what went wrong
            again.stop(Duration.ofSeconds(5));
            attempt.join(5000);
        }
        assertThat(failure.get()).isInstanceOf(IdentityException.class)
                .hasMessageContaining("cannot write " + dir.resolve("state/identity.json"));
        assertThat(kernel.observe()).isEqualTo(before);
    }
}
