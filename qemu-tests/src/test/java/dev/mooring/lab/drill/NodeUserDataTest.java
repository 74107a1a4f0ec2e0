package dev.mooring.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.mooring.Registration;
import dev.mooring.firstboot.userdata.UserDataPart;
import dev.mooring.overlay.config.OverlaySettings;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeUserDataTest {
    private static final Map<String, String> NODE2 = Map.of("host", "node2", "index", "2", "bootstrap", "false", "overlay", "true",
            "key", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "nodes", "3");

    @Test
    void placeholdersAreFilledAndTheLabShellIsAddedAsAUnit() {
        String text = NodeUserData.render(NodeUserData.DEFAULT_TEMPLATE, NODE2, true);
        assertThat(text).startsWith("#cloud-config\nhostname: node2\n").contains("bootstrap: false", "enabled: true",
                "control-plane-count: 3", "path: /usr/local/lib/mooring-lab-shell", "@@MR-READY@@",
                "[systemctl, enable, mooring-lab-shell.service]");
        assertThat(NodeUserData.render(NodeUserData.DEFAULT_TEMPLATE, NODE2, false)).doesNotContain("write_files");
    }

    /** What the drill seeds must pass first boot's own validation, or the machines never get that far. */
    @Test
    void theRenderedUserDataPassesFirstBootsValidation() {
        Validation v = UserDataValidator.standard().validate("user-data", NodeUserData.render(NodeUserData.DEFAULT_TEMPLATE, NODE2, true));
        assertThat(v.userData()).as("diagnostics: %s", v.diagnostics()).isPresent();
    }

    @Test
    void theHubTemplateRegistersWithTheHubAndKeepsTheOverlaysOwnSettings() {
        Map<String, String> withHub = new HashMap<>(NODE2);
        withHub.put("hub", "http://198.51.100.254:8443");
        withHub.put("token", "mt_t-0123456789ab.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
        String text = NodeUserData.render(NodeUserData.HUB_TEMPLATE, withHub, true);

        Validation v = UserDataValidator.standard().validate("user-data", text);
        assertThat(v.userData()).as("diagnostics: %s", v.diagnostics()).isPresent();
        MooringConfig mooring = v.userData().orElseThrow().ofKind(UserDataPart.CloudConfigPart.class).getFirst().config().mooring().orElseThrow();
        Registration registration = mooring.registration().orElseThrow();
        assertThat(registration.url()).isEqualTo(URI.create("http://198.51.100.254:8443"));
        assertThat(registration.token()).isEqualTo(withHub.get("token"));
        // The cluster the hub must have: the same name, CIDR and VIP, and the key the drill passes in.
        assertThat(mooring.cluster().orElseThrow().name()).isEqualTo(NodeUserData.CLUSTER);
        OverlaySettings overlay = mooring.overlay().orElseThrow();
        assertThat(overlay.cidr()).hasToString(NodeUserData.OVERLAY_CIDR);
        assertThat(overlay.vip()).hasToString(NodeUserData.OVERLAY_VIP);
        assertThat(overlay.key()).isPresent();
        assertThat(text).contains("[systemctl, enable, mooring-lab-shell.service]");
    }

    /** Every placeholder of the hub template is checked: without a hub URL or a token it names the missing one. */
    @Test
    void theHubTemplateNeedsTheHubAndTheToken() {
        assertThatThrownBy(() -> NodeUserData.render(NodeUserData.HUB_TEMPLATE, NODE2, true))
                .hasMessageContaining("line 5: unknown placeholder {{hub}}");
        Map<String, String> noToken = new HashMap<>(NODE2);
        noToken.put("hub", "http://198.51.100.254:8443");
        assertThatThrownBy(() -> NodeUserData.render(NodeUserData.HUB_TEMPLATE, noToken, true))
                .hasMessageContaining("line 6: unknown placeholder {{token}}");
    }

    /** The default template uses the same cluster, CIDR and VIP as the hub template, so both runs of a drill compare. */
    @Test
    void bothTemplatesNameTheSameClusterAndOverlay() {
        for (String template : new String[] {NodeUserData.DEFAULT_TEMPLATE, NodeUserData.HUB_TEMPLATE}) {
            assertThat(template).contains("name: " + NodeUserData.CLUSTER + "\n", "cidr: " + NodeUserData.OVERLAY_CIDR + "\n",
                    "vip: " + NodeUserData.OVERLAY_VIP + "\n");
        }
    }

    @Test
    void templatesTheDrillCannotExtendAreRefused() {
        assertThatThrownBy(() -> NodeUserData.render("hostname: x\n", NODE2, true)).hasMessageContaining("#cloud-config");
        assertThatThrownBy(() -> NodeUserData.render("#cloud-config\nruncmd:\n  - [true]\n", NODE2, true)).hasMessageContaining("--channel agent");
    }
}
