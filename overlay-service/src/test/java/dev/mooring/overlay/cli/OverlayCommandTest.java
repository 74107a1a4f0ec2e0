package dev.mooring.overlay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.kernel.InMemoryKernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.reconcile.Planner;
import dev.mooring.overlay.service.OverlayStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands' exit codes and messages, over an in-memory kernel (the netns tests run them for real). */
class OverlayCommandTest {

    @TempDir
    Path dir;
    private final InMemoryKernel kernel = new InMemoryKernel();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path status;

    @BeforeEach
    void underlay() throws Exception {
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", Ipv4Address.parse("198.51.100.11"), 24));
        kernel.addDefaultRoute("eth0", Ipv4Address.parse("198.51.100.1"));
        status = dir.resolve("overlay.json");
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new OverlayCommand(() -> kernel, () -> {
            throw new AssertionError("without discovery no VIP is elected, so no ARP sender is opened");
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path config(String overlay) throws Exception {
        return Files.writeString(dir.resolve("overlay.yaml"), """
                host: {name: h1}
                overlay: %s
                peers:
                  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
                status: %s
                state: %s
                metrics: off
                """.formatted(overlay, status, dir.resolve("state")));
    }

    @Test
    void withoutASubcommandItShowsUsage() {
        assertThat(run()).isEqualTo(OverlayCommand.USAGE);
        assertThat(err.toString()).contains("Usage: overlay", "run", "status", "down");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(run("status", "--colour")).isEqualTo(OverlayCommand.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--colour'");
    }

    @Test
    void aBadConfigSaysWhereAndChangesNothing() throws Exception {
        KernelState before = kernel.observe();
        Path file = config("{address: 100.64.192.10, vip: 100.64.200.1}");
        assertThat(run("run", "--config", file.toString())).isEqualTo(OverlayCommand.INVALID);
        assertThat(err.toString()).startsWith(file + ":2:40: overlay.vip: the VIP 100.64.200.1 is outside the overlay CIDR 100.64.192.0/23");
        assertThat(kernel.observe()).isEqualTo(before);
    }

    @Test
    void aMissingUnderlayListsTheInterfacesAndChangesNothing() throws Exception {
        KernelState before = kernel.observe();
        Path file = config("{address: 100.64.192.10, underlay: eth9}");
        assertThat(run("run", "--config", file.toString())).isEqualTo(OverlayCommand.INVALID);
        assertThat(err.toString()).startsWith("mooring-overlay: the underlay interface 'eth9' does not exist; the interfaces here are: eth0 (198.51.100.11/24)")
                .contains("nothing was changed");
        assertThat(kernel.observe()).isEqualTo(before);
        assertThat(status).doesNotExist();
    }

    @Test
    void aRefusedChangeIsARuntimeFailureThatChangesNothing() throws Exception {
        KernelState before = kernel.observe();
        kernel.deny(c -> true);
        Path file = config("{address: 100.64.192.10}");
        assertThat(run("run", "--config", file.toString())).isEqualTo(OverlayCommand.FAILED);
        assertThat(err.toString()).startsWith("mooring-overlay: AddBridge[name=mooring0")
                .contains("EPERM", "run it as root or with CAP_NET_ADMIN; nothing was changed")
                .doesNotContain("Exception", "\tat ");
        assertThat(kernel.observe()).isEqualTo(before);
    }

    @Test
    void aVipOtherThanThePersistedOneIsRefusedAndChangesNothing() throws Exception {
        new dev.mooring.overlay.identity.IdentityStore(dir.resolve("state")).create("h1", Ipv4Address.parse("100.64.192.10"),
                dev.mooring.overlay.config.OverlaySettings.defaults(dev.mooring.overlay.address.Cidr.parse("100.64.192.0/23")),
                java.time.Instant.parse("2026-11-27T03:00:00Z"));
        KernelState before = kernel.observe();
        Path file = config("{address: 100.64.192.10, vip: 100.64.192.2}");
        assertThat(run("run", "--config", file.toString())).isEqualTo(OverlayCommand.INVALID);
        assertThat(err.toString()).startsWith("mooring-overlay: the VIP of this cluster is fixed at 100.64.192.1 since 2026-11-27; "
                + file + " says 100.64.192.2").endsWith("; nothing was changed\n").doesNotContain("\tat ");
        assertThat(kernel.observe()).isEqualTo(before);
        assertThat(status).doesNotExist();
    }

    @Test
    void aDisabledOverlayDoesNothing() throws Exception {
        KernelState before = kernel.observe();
        Path file = config("{enabled: false, address: 100.64.192.10}");
        assertThat(run("run", "--config", file.toString())).isEqualTo(OverlayCommand.OK);
        assertThat(err.toString()).contains("the overlay is disabled");
        assertThat(kernel.observe()).isEqualTo(before);
    }

    @Test
    void statusShowsTheFileAsTextOrJson() throws Exception {
        assertThat(run("status", "--status-file", status.toString())).isEqualTo(OverlayCommand.FAILED);
        assertThat(err.toString()).contains("no overlay status at " + status + ": the overlay service has not run since boot");

        OverlayStatus written = dev.mooring.overlay.service.OverlayStatusTest.STATUS;
        written.write(status);
        Path file = config("{address: 100.64.192.10}");
        assertThat(run("status", "--config", file.toString())).isEqualTo(OverlayCommand.OK);
        assertThat(out.toString()).startsWith("state:     ready\n").contains("100.64.192.10/23 on mooring0");
        out.getBuffer().setLength(0);
        assertThat(run("status", "-o", "json", "--status-file", status.toString())).isEqualTo(OverlayCommand.OK);
        assertThat(out.toString()).isEqualTo(Files.readString(status));
        assertThat(run("status", "-o", "yaml")).isEqualTo(OverlayCommand.USAGE);
    }

    @Test
    void downRemovesExactlyWhatTheOverlayMadeAndMayRunTwice() throws Exception {
        // A foreign device with a name close to ours stays.
        kernel.addInterface("mooring1", 1500);
        KernelState foreignOnly = kernel.observe();
        var settings = dev.mooring.overlay.config.OverlayConfigLoader.parse(dir.resolve("x.yaml"), "host: {name: h1}\noverlay: {address: 100.64.192.10}\n").overlay();
        DesiredState desired = DesiredState.of(settings, Ipv4Address.parse("100.64.192.10"),
                List.of(new dev.mooring.overlay.reconcile.Peer("h2", Ipv4Address.parse("100.64.192.11"), Ipv4Address.parse("198.51.100.12"))),
                kernel.observe());
        for (KernelChange c : Planner.plan(desired, kernel.observe())) {
            kernel.apply(c);
        }
        Files.writeString(status, "{}");

        assertThat(run("down", "--status-file", status.toString())).isEqualTo(OverlayCommand.OK);
        assertThat(out.toString()).isEqualTo("removed mooring-vx, mooring0 and " + status + "\n");
        assertThat(kernel.observe()).isEqualTo(foreignOnly);
        assertThat(status).doesNotExist();

        out.getBuffer().setLength(0);
        assertThat(run("down", "--status-file", status.toString())).isEqualTo(OverlayCommand.OK);
        assertThat(out.toString()).isEqualTo("nothing to remove\n");
        assertThat(kernel.observe()).isEqualTo(foreignOnly);
    }

    @Test
    void downWithoutPermissionFailsClearly() throws Exception {
        kernel.apply(new KernelChange.AddBridge("mooring0", dev.mooring.overlay.address.MacAddress.parse("02:00:64:40:c0:0a"), 1450));
        kernel.deny(c -> true);
        assertThat(run("down", "--status-file", status.toString())).isEqualTo(OverlayCommand.FAILED);
        assertThat(err.toString()).startsWith("mooring overlay down: ").contains("EPERM", "run it as root or with CAP_NET_ADMIN");
        assertThat(kernel.observe().link("mooring0")).isPresent();
    }
}
