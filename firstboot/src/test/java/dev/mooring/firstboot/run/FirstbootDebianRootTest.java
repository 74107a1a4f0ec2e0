package dev.mooring.firstboot.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import dev.mooring.firstboot.testing.TestHub;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control-plane example applied to a real Debian root directory (this host's account files). */
class FirstbootDebianRootTest {

    @TempDir
    Path temp;
    Path root;

    @BeforeEach
    void fixture() throws Exception {
        assumeTrue(DebianRoot.isRoot(), "needs root: the fixture keeps root:shadow owners and first boot chowns to new users (make test runs as root)");
        root = DebianRoot.create(Files.createDirectory(temp.resolve("root")));
    }

    @Test
    void appliesTheControlPlaneExample() throws Exception {
        try (TestHub hub = new TestHub(0)) {
            Path seed = Runs.seed(temp.resolve("seed"), Runs.controlPlane(hub.url().toString()), "iid-cp1",
                    Optional.of(Runs.example("network-config")));
            FirstbootStatus status = Runs.run(root, seed);

            assertThat(status.errors()).isEmpty();
            assertThat(status.state()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(status.newInstance()).isTrue();
            assertThat(status.registration().state()).isEqualTo("registered");

            String[] ops = entry("/etc/passwd", "ops");
            int uid = Integer.parseInt(ops[2]);
            int gid = Integer.parseInt(ops[3]);
            assertThat(uid).isBetween(1000, 60000);
            assertThat(ops[4]).isEqualTo("Site Operations");
            assertThat(ops[5]).isEqualTo("/home/ops");
            assertThat(ops[6]).isEqualTo("/bin/bash");
            assertThat(entry("/etc/group", "ops")[2]).isEqualTo(ops[3]);
            assertThat(entry("/etc/passwd", "mooring")[6]).isEqualTo("/bin/bash");
            assertThat(entry("/etc/passwd", "backup")[2]).isEqualTo("34"); // Debian's own backup user is kept
            assertThat(entry("/etc/shadow", "ops")[1]).isEqualTo("!");
            assertThat(entry("/etc/shadow", "backup")[1]).startsWith("!$6$rounds=4096$saltsalt$");
            assertThat(entry("/etc/shadow", "ops")[2]).isEqualTo(Long.toString(Runs.NOW.getEpochSecond() / 86400));
            assertThat(mode("/etc/shadow")).isEqualTo("0640 0:" + entry("/etc/group", "shadow")[2]);
            assertThat(entry("/etc/group", "edge-admins")[3]).isEqualTo("ops");
            assertThat(entry("/etc/group", "sudo")[3].split(",")).contains("ops", "mooring");
            assertThat(entry("/etc/gshadow", "edge-admins")[3]).isEqualTo("ops");
            assertThat(entry("/etc/group", "monitoring")).isNotNull();

            assertThat(mode("/home/ops")).isEqualTo("0755 " + uid + ":" + gid);
            assertThat(mode("/home/ops/.bashrc")).isEqualTo("0644 " + uid + ":" + gid);
            assertThat(mode("/home/ops/.ssh")).isEqualTo("0700 " + uid + ":" + gid);
            assertThat(mode("/home/ops/.ssh/authorized_keys")).isEqualTo("0600 " + uid + ":" + gid);
            assertThat(read("/home/ops/.ssh/authorized_keys")).isEqualTo(
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb9rRk2yN8pDt1sJ9Y4cF5bYV0u2cFq9S4e0b6QpL1a ops@example.com\n");
            assertThat(read("/home/mooring/.ssh/authorized_keys")).startsWith("ecdsa-sha2-nistp256 ");
            assertThat(mode("/etc/sudoers.d/90-mooring-ops")).isEqualTo("0440 0:0");
            assertThat(read("/etc/sudoers.d/90-mooring-ops")).contains("ops ALL=(ALL) NOPASSWD:ALL\n");
            assertThat(Files.exists(root.resolve("etc/sudoers.d/90-mooring-backup"))).isFalse();

            assertThat(read("/etc/motd")).startsWith("Store 0042 control plane.");
            assertThat(read("/etc/sysctl.d/90-edge.conf")).isEqualTo("net.ipv4.ip_forward = 1\n");
            assertThat(mode("/usr/local/bin/healthcheck")).isEqualTo("0755 0:0");
            assertThat(read("/usr/local/bin/healthcheck")).startsWith("#!/bin/sh");
            assertThat(mode("/var/lib/edge/site.env")).isEqualTo("0640 " + uid + ":" + gid);
            assertThat(read("/etc/edge/notes.txt")).isEqualTo("seeded at first boot\n");

            assertThat(read("/etc/hostname")).isEqualTo("store-0042-cp1\n");
            assertThat(read("/etc/hosts")).contains("127.0.1.1\tstore-0042-cp1.edge.example.com store-0042-cp1\n");
            assertThat(Files.readSymbolicLink(root.resolve("etc/localtime")).toString()).isEqualTo("/usr/share/zoneinfo/Europe/Berlin");
            assertThat(read("/etc/timezone")).isEqualTo("Europe/Berlin\n");
            assertThat(read("/etc/systemd/timesyncd.conf.d/50-mooring.conf"))
                    .contains("NTP=ntp1.example.com 198.51.100.123 0.debian.pool.ntp.org");

            assertThat(read("/etc/systemd/network/10-mooring-uplink.link")).contains("MACAddress=52:54:00:12:34:56", "Name=uplink0");
            assertThat(read("/etc/systemd/network/10-mooring-uplink.network")).contains("Name=uplink0", "DHCP=no",
                    "Address=198.51.100.7/24", "Gateway=198.51.100.1", "DNS=198.51.100.53", "Domains=edge.example.com",
                    "Destination=203.0.113.0/24", "Metric=100", "MTUBytes=1500");
            assertThat(read("/etc/systemd/network/10-mooring-spare.network")).contains("Name=en*", "DHCP=ipv4");
            assertThat(Files.exists(root.resolve("etc/systemd/network/90-mooring-dhcp.network"))).isTrue();

            OverlayConfig overlay = OverlayConfigLoader.load(root.resolve("etc/mooring/overlay.yaml"));
            assertThat(overlay.cluster()).isEqualTo("store-0042");
            assertThat(overlay.host().name()).isEqualTo("store-0042-cp1");
            assertThat(overlay.overlay().address().orElseThrow().toString()).isEqualTo("100.64.192.10");
            assertThat(overlay.overlay().underlay().toString()).isEqualTo("en*");
            assertThat(mode("/etc/mooring/overlay.yaml")).isEqualTo("0600 0:0");
            assertThat(read("/etc/mooring/cluster.yaml")).isEqualTo("""
                    # Written by mooring firstboot (docs/contracts.md); read by mooring k8s prepare.
                    version: 1
                    cluster: 'store-0042'
                    host: 'store-0042-cp1'
                    role: control-plane
                    bootstrap: true
                    kubernetes:
                      distribution: k3s
                      version: 'v1.31.4+k3s1'
                      token: 'K10-join-token-store-0042'
                      control-plane-count: 1
                    """);
            if (dev.mooring.firstboot.mooring.OverlayYaml.HUB_SECTION_SUPPORTED) {
                assertThat(read("/etc/mooring/overlay.yaml")).contains("hub:\n  credentials: '/var/lib/mooring/hub/credentials.json'\n");
            }
            assertThat(mode("/var/lib/mooring/hub")).isEqualTo("0700 0:0");
            assertThat(mode("/var/lib/mooring/hub/credentials.json")).isEqualTo("0600 0:0");
            JsonNode credentials = new ObjectMapper().readTree(read("/var/lib/mooring/hub/credentials.json"));
            assertThat(credentials.path("hostId").asText()).isEqualTo("h-1");
            assertThat(credentials.path("apiKey").asText()).isEqualTo("mk_1");
            assertThat(credentials.path("cluster").asText()).isEqualTo("store-0042");
            JsonNode sent = hub.requests().getFirst();
            assertThat(sent.path("machineId").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
            assertThat(sent.path("hostname").asText()).isEqualTo("store-0042-cp1");
            assertThat(sent.path("role").asText()).isEqualTo("control-plane");
            assertThat(sent.path("overlayAddress").asText()).isEqualTo("100.64.192.10");
            assertThat(sent.path("addresses").get(0).asText()).isEqualTo("198.51.100.11");

            assertThat(status.steps()).filteredOn(s -> s.module().startsWith("runcmd") || s.module().startsWith("bootcmd"))
                    .hasSize(5).allMatch(s -> s.outcome() == dev.mooring.firstboot.apply.StepResult.Outcome.SKIPPED);
            FirstbootStatus onDisk = FirstbootStatus.fromJson(Files.readAllBytes(root.resolve("run/mooring/firstboot.json")));
            assertThat(onDisk.state()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(onDisk.instanceId()).contains("iid-cp1");
        }
    }

    @Test
    void aSecondRunOfTheSameInstanceChangesNothing() throws Exception {
        try (TestHub hub = new TestHub(0)) {
            Path seed = Runs.seed(temp.resolve("seed"), Runs.controlPlane(hub.url().toString()), "iid-cp1", Optional.empty());
            Runs.run(root, seed);
            Map<String, String> first = DebianRoot.snapshot(root, p -> !p.startsWith("/run/mooring"));
            FirstbootStatus again = Runs.run(root, seed);
            assertThat(again.newInstance()).isFalse();
            assertThat(again.steps()).allMatch(s -> s.outcome() != dev.mooring.firstboot.apply.StepResult.Outcome.APPLIED);
            assertThat(DebianRoot.snapshot(root, p -> !p.startsWith("/run/mooring"))).isEqualTo(first);
            assertThat(hub.requests()).hasSize(1);
        }
    }

    @Test
    void invalidUserDataChangesNothingAndTheStatusSaysWhere() throws Exception {
        Map<String, String> before = DebianRoot.snapshot(root, p -> true);
        Path seed = Runs.seed(temp.resolve("seed"), Runs.example("broken.yaml"), "iid-broken", Optional.empty());
        FirstbootStatus status = Runs.run(root, seed);
        assertThat(status.state()).isEqualTo(FirstbootStatus.State.FAILED);
        assertThat(status.errors()).extracting(d -> d.location() + ": " + d.message())
                .contains(seed + "/user-data:2:11: hostname: 'store_0042' is not a valid host name");
        assertThat(DebianRoot.snapshot(root, p -> !p.startsWith("/run"))).isEqualTo(before);
        FirstbootStatus onDisk = FirstbootStatus.fromJson(Files.readAllBytes(root.resolve("run/mooring/firstboot.json")));
        assertThat(onDisk.errors()).hasSameSizeAs(status.errors());
        assertThat(onDisk.errors().getFirst().line()).isPositive();
    }

    @Test
    void anUnreachableHubDoesNotBlockTheOverlayAndALaterRunRegisters() throws Exception {
        int port;
        try (TestHub probe = new TestHub(0)) {
            port = probe.url().getPort();
        }
        Path seed = Runs.seed(temp.resolve("seed"), Runs.controlPlane("http://127.0.0.1:" + port), "iid-cp1", Optional.empty());
        FirstbootStatus pending = Runs.run(root, seed);
        assertThat(pending.state()).isEqualTo(FirstbootStatus.State.PENDING_REGISTRATION);
        assertThat(pending.registration().attempts()).isGreaterThan(1);
        OverlayConfig overlay = OverlayConfigLoader.load(root.resolve("etc/mooring/overlay.yaml"));
        assertThat(overlay.overlay().key()).isPresent();
        assertThat(Files.exists(root.resolve("var/lib/mooring/hub/credentials.json"))).isFalse();

        try (TestHub hub = new TestHub(2)) {
            Path moved = Runs.seed(temp.resolve("seed2"), Runs.controlPlane(hub.url().toString()), "iid-cp1", Optional.empty());
            FirstbootStatus registered = Runs.run(root, moved);
            assertThat(registered.state()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(registered.registration().attempts()).isEqualTo(3);
            assertThat(hub.requests()).allMatch(r -> r.path("overlayAddress").asText().equals("100.64.192.10"));
            assertThat(OverlayConfigLoader.load(root.resolve("etc/mooring/overlay.yaml")).overlay().address().orElseThrow().toString())
                    .isEqualTo("100.64.192.10");
        }
    }

    private String[] entry(String file, String name) {
        return read(file).lines().map(l -> l.split(":", -1)).filter(f -> f[0].equals(name)).findFirst().orElse(null);
    }

    private String read(String path) {
        return DebianRoot.read(root, path);
    }

    private String mode(String path) throws Exception {
        Path p = root.resolve(path.substring(1));
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        return "0" + Integer.toOctalString(mode) + " " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }
}
