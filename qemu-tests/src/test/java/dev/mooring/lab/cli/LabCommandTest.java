package dev.mooring.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LabCommandTest {
    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new LabCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void anUnknownScenarioIsAUsageError() throws Exception {
        Path image = Files.createFile(temp.resolve("edge.qcow2"));
        assertThat(run("drill", "power-cycle", "--image", image.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown scenario 'power-cycle'; known: all, network-restart, vip-holder-off, power-cycle-one, power-cycle-all, control-overlay-off");
    }

    @Test
    void aMissingImageSaysHowToBuildOne() {
        assertThat(run("drill", "network-restart", "--image", temp.resolve("nope.qcow2").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("nope.qcow2 does not exist").contains("mooring image build");
    }

    @Test
    void badOptionValuesAreNamed() throws Exception {
        Path image = Files.createFile(temp.resolve("edge.qcow2"));
        assertThat(run("drill", "network-restart", "--image", image.toString(), "-o", "yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("-o: expected text or json, got 'yaml'");
        assertThat(run("drill", "network-restart", "--image", image.toString(), "--channel", "ssh")).isEqualTo(1);
        assertThat(err.toString()).contains("--channel: expected shell or agent, got 'ssh'");
        assertThat(run("drill", "network-restart", "--image", image.toString(), "--nodes", "12")).isEqualTo(1);
        assertThat(err.toString()).contains("nodes: expected 1..9, got 12");
    }

    @Test
    void scenarioCombinationsThatCannotWorkAreRefusedBeforeAnythingBoots() throws Exception {
        Path image = Files.createFile(temp.resolve("edge.qcow2"));
        assertThat(run("drill", "network-restart", "--image", image.toString(), "--hub", "--no-overlay")).isEqualTo(1);
        assertThat(err.toString()).contains("--hub and --no-overlay");
        assertThat(run("drill", "vip-holder-off", "--image", image.toString(), "--nodes", "2")).isEqualTo(1);
        assertThat(err.toString()).contains("vip-holder-off: needs at least 3 nodes");
        assertThat(run("drill", "control-overlay-off,network-restart", "--image", image.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("control-overlay-off: must be the last scenario");
        assertThat(run("drill", "power-cycle-all", "--image", image.toString(), "--no-overlay")).isEqualTo(1);
        assertThat(err.toString()).contains("the only scenario is network-restart");
        // The hub's placeholders without --hub are unknown, so such a template is refused at once.
        Path template = Files.writeString(temp.resolve("t.yaml"), "#cloud-config\nhostname: {{host}}\nx: {{hub}} {{token}}\n");
        assertThat(run("drill", "network-restart", "--image", image.toString(), "--user-data", template.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("unknown placeholder {{hub}}");
    }

    @Test
    void aTemplateWithAnUnknownPlaceholderIsRefusedBeforeAnythingBoots() throws Exception {
        Path image = Files.createFile(temp.resolve("edge.qcow2"));
        Path template = Files.writeString(temp.resolve("t.yaml"), "#cloud-config\nhostname: {{hostname}}\n");
        assertThat(run("drill", "network-restart", "--image", image.toString(), "--user-data", template.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("line 2: unknown placeholder {{hostname}}").contains("{{host}}");
    }

    @Test
    void statusAndDownWithoutALab() {
        assertThat(run("status", "--state", temp.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no lab is up");
        assertThat(run("down", "--state", temp.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("no lab is up");
    }
}
