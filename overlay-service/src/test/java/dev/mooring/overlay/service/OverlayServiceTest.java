package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.kernel.InMemoryKernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayServiceTest {

    @Test
    void comesUpReportsReadyRepairsAndStopsWithoutTearingDown(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("overlay.json");
        OverlayConfig config = OverlayConfigLoader.parse(dir.resolve("overlay.yaml"), """
                host: {name: h1}
                role: control-plane
                overlay: {address: 100.64.192.10}
                peers:
                  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
                status: %s
                """.formatted(status));
        InMemoryKernel kernel = new InMemoryKernel();
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", Ipv4Address.parse("198.51.100.11"), 24));
        kernel.addDefaultRoute("eth0", Ipv4Address.parse("198.51.100.1"));
        List<String> log = new CopyOnWriteArrayList<>();
        String socket = "@mooring-service-test-" + ThreadLocalRandom.current().nextInt(1 << 30);

        try (NotifySocket systemd = new NotifySocket(socket)) {
            OverlayService service = new OverlayService(config, () -> Ipv4Address.parse("100.64.192.10"), kernel,
                    SystemdNotifier.to(socket), Clock.systemUTC(), Duration.ofHours(1), log::add);
            Thread loop = Thread.ofPlatform().start(() -> {
                try {
                    service.run();
                } catch (Exception e) {
                    log.add("run failed: " + e);
                }
            });

            assertThat(systemd.receive(Duration.ofSeconds(10))).contains("READY=1\nSTATUS=overlay 100.64.192.10 up, 1 peers");
            OverlayStatus ready = OverlayStatus.read(status);
            assertThat(ready.state()).isEqualTo("ready");
            assertThat(ready.overlay().mac()).isEqualTo("02:00:64:40:c0:0a");
            assertThat(ready.underlay().device()).isEqualTo("eth0");
            assertThat(ready.reconcile().changesApplied()).isEqualTo(9);

            kernel.apply(new KernelChange.DeleteFdb("mooring-vx", MacAddress.ZERO, Ipv4Address.parse("198.51.100.12")));
            Eventually.within(Duration.ofSeconds(5), "the FDB entry is back and counted",
                    () -> OverlayStatus.read(status).reconcile().changesApplied() == 10);
            assertThat(log).anyMatch(l -> l.startsWith("repaired: 1 changes"));

            KernelState before = kernel.observe();
            service.stop(Duration.ofSeconds(5));
            loop.join(5000);
            assertThat(loop.isAlive()).isFalse();
            assertThat(kernel.observe()).isEqualTo(before);
            assertThat(OverlayStatus.read(status).state()).isEqualTo("stopped");
            assertThat(systemd.receive(Duration.ofSeconds(5))).contains("STOPPING=1");
            assertThat(log).noneMatch(l -> l.startsWith("run failed"));
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(status);
        }
    }
}
