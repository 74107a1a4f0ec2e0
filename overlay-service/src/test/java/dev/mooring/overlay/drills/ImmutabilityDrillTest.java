package dev.mooring.overlay.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.cli.OverlayCommand;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * CIDR and VIP are fixed once a host has persisted its identity: a control-plane host comes up
 * (holding the VIP), is stopped, and is restarted with another CIDR, then another VIP. Each
 * restart is refused with a message naming the fixed and the configured value, and the kernel
 * (links with their indexes and details, IPv4 addresses and routes, forwarding and neighbour entries, as
 * iproute2 reports them, less the bridge's ticking timers) and the identity file stay as they were.
 */
@RequiresNetns
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImmutabilityDrillTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REFUSAL = Duration.ofSeconds(45);

    private NetnsLab lab;
    private OverlayHosts overlay;
    private NetnsLab.Host h1;

    @BeforeAll
    void oneHostThatRanOnce() throws Exception {
        lab = NetnsLab.create(1);
        overlay = new OverlayHosts(lab, 1, OverlayHosts.Settings.defaults());
        h1 = lab.host(1);
        overlay.start(h1);
        overlay.awaitTrue(Duration.ofSeconds(30), "h1 holds the VIP", () -> overlay.vipHolders(List.of(h1)).size() == 1);
        assertThat(overlay.stop(h1)).isIn(0, 143);
    }

    @AfterAll
    void tearDown() {
        if (overlay != null) {
            overlay.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anotherCidrIsRefusedAndNothingChanges() throws Exception {
        Cidr other = Cidr.parse("100.64.200.0/23");
        refused(overlay.settings().withCidr(other), overlay.settings().cidr().toString(), other.toString());
    }

    @Test
    void anotherVipIsRefusedAndNothingChanges() throws Exception {
        Ipv4Address other = overlay.settings().cidr().firstUsable().plus(4);
        refused(overlay.settings().withVip(other), overlay.settings().vip().toString(), other.toString());
    }

    private void refused(OverlayHosts.Settings changed, String fixed, String configured) throws Exception {
        List<String> kernelBefore = kernelAtRest();
        Path identity = overlay.stateDirectory(h1).resolve("identity.json");
        byte[] identityBefore = Files.readAllBytes(identity);

        NetnsLab.Result result = overlay.runRefused(h1, changed, REFUSAL);

        assertThat(result.exitCode()).as("exit code; output:\n%s%s", result.stdout(), result.stderr()).isEqualTo(OverlayCommand.INVALID);
        assertThat(result.stderr()).contains(fixed, configured, "fixed");
        assertThat(kernel()).containsExactlyElementsOf(kernelBefore);
        assertThat(Files.readAllBytes(identity)).isEqualTo(identityBefore);
    }

    /**
     * {@link #kernel()} once two reads half a second apart agree: the stopped service's last
     * changes (and the kernel's own follow-ups, such as a link's carrier) have settled.
     */
    private List<String> kernelAtRest() throws Exception {
        List<List<String>> reads = new ArrayList<>();
        Eventually.within(Duration.ofSeconds(20), "the kernel state of h1 is at rest", () -> {
            List<String> first = kernel();
            Thread.sleep(500);
            List<String> second = kernel();
            reads.add(second);
            return first.equals(second);
        });
        return reads.getLast();
    }

    /** The namespace's kernel state as iproute2 prints it; link indexes included, so a recreated device shows. */
    private List<String> kernel() throws Exception {
        List<String> out = new ArrayList<>();
        for (String[] command : List.of(
                new String[] {"ip", "-json", "-d", "link", "show"},
                new String[] {"ip", "-json", "-4", "address", "show"},
                new String[] {"ip", "-json", "-4", "route", "show", "table", "all"},
                new String[] {"bridge", "-json", "fdb", "show", "dev", "mooring-vx"},
                new String[] {"ip", "-json", "neigh", "show", "nud", "permanent"})) {
            String text = lab.exec(h1.namespace(), command).orThrow().stdout();
            if (!text.isBlank()) {
                // One line per link, address list, route or entry, so a difference names what changed.
                for (JsonNode item : withoutTimers(JSON.readTree(text))) {
                    out.add(command[0] + " " + command[2] + ": " + item);
                }
            }
        }
        return out;
    }

    /** {@code node} without the bridge's running timers ({@code gc_timer}, {@code hello_timer}, ...), which tick by themselves. */
    private static JsonNode withoutTimers(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(e -> e.getKey().endsWith("_timer"));
        }
        node.forEach(ImmutabilityDrillTest::withoutTimers);
        return node;
    }
}
