package dev.mooring.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
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
    void templatesTheDrillCannotExtendAreRefused() {
        assertThatThrownBy(() -> NodeUserData.render("hostname: x\n", NODE2, true)).hasMessageContaining("#cloud-config");
        assertThatThrownBy(() -> NodeUserData.render("#cloud-config\nruncmd:\n  - [true]\n", NODE2, true)).hasMessageContaining("--channel agent");
    }
}
