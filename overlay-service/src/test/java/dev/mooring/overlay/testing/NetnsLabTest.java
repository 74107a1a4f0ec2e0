package dev.mooring.overlay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.address.Ipv4Address;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lab itself: wiring, command execution, background processes and a clean teardown. */
@RequiresNetns
class NetnsLabTest {

    @Test
    void hostsReachEachOtherOverTheSwitchAndCloseRemovesEverything() throws Exception {
        List<String> namespaces = new ArrayList<>();
        long pid;
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.Host h1 = lab.host(1);
            NetnsLab.Host h2 = lab.host(2);
            namespaces.add(lab.switchNamespace());
            lab.hosts().forEach(h -> namespaces.add(h.namespace()));
            assertThat(namespaces).allMatch(n -> n.startsWith("mr-"));
            assertThat(lab.underlayAddress(h2)).isEqualTo(Ipv4Address.parse("198.51.100.12"));

            JsonNode addresses = lab.json(h1.namespace(), "ip", "-json", "-4", "address", "show", "dev", "eth0");
            assertThat(addresses.get(0).get("addr_info").get(0).get("local").asText()).isEqualTo("198.51.100.11");
            JsonNode routes = lab.json(h1.namespace(), "ip", "-json", "route", "show", "default");
            assertThat(routes.get(0).get("gateway").asText()).isEqualTo("198.51.100.1");

            NetnsLab.Result ping = lab.exec(h1.namespace(), "ping", "-c", "1", "-W", "2", "198.51.100.12");
            assertThat(ping.exitCode()).as(ping.stdout() + ping.stderr()).isZero();
            assertThat(lab.exec(h1.namespace(), "false").exitCode()).isEqualTo(1);

            NetnsLab.Background sleeper = lab.start(h2.namespace(), List.of("sh", "-c", "echo started; sleep 300"));
            pid = sleeper.pid();
            Eventually.within(Duration.ofSeconds(5), "the background process writes its log",
                    () -> sleeper.output().contains("started"));
            assertThat(sleeper.isAlive()).isTrue();

            lab.changeUnderlayAddress(h2, Ipv4Address.parse("203.0.113.12"));
            lab.changeUnderlayAddress(h1, Ipv4Address.parse("203.0.113.11"));
            JsonNode moved = lab.json(h2.namespace(), "ip", "-json", "-4", "address", "show", "dev", "eth0");
            assertThat(moved.get(0).get("addr_info")).hasSize(1);
            assertThat(moved.get(0).get("addr_info").get(0).get("local").asText()).isEqualTo("203.0.113.12");
            assertThat(lab.json(h2.namespace(), "ip", "-json", "route", "show", "default").get(0).get("gateway").asText())
                    .isEqualTo("203.0.113.1");
            assertThat(lab.exec(h1.namespace(), "ping", "-c", "1", "-W", "2", "203.0.113.12").exitCode()).isZero();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        String remaining = NetnsLab.run(List.of("ip", "netns", "list")).stdout();
        for (String namespace : namespaces) {
            assertThat(remaining).doesNotContain(namespace);
            assertThat(Files.exists(java.nio.file.Path.of("/run/netns", namespace))).isFalse();
        }
    }

    @Test
    void aFailedCommandReportsItsErrorOutput() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            NetnsLab.Result result = lab.exec(lab.host(1).namespace(), "ip", "link", "show", "no-such-device");
            assertThat(result.succeeded()).isFalse();
            assertThat(result.stderr()).contains("no-such-device");
            org.assertj.core.api.Assertions.assertThatThrownBy(result::orThrow)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ip link show no-such-device");
        }
    }
}
