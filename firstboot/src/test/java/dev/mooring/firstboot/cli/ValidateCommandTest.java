package dev.mooring.firstboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mooring userdata validate}: output format and exit codes, captured from picocli's writers. */
class ValidateCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new UserdataCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static String example(String name) throws URISyntaxException {
        return Path.of(ValidateCommandTest.class.getResource("/examples/" + name).toURI()).toString();
    }

    @Test
    void validFilesExitZeroAndListWarningsSeparately() throws URISyntaxException {
        String file = example("control-plane.yaml");

        assertThat(run("validate", file, example("worker.mime"), example("network-config"))).isZero();
        assertThat(out.toString())
                .contains(file + ":79:1: warning: package_update is not applied by Mooring\n    hint: ")
                .contains(file + ": valid (cloud-config, 0 errors, 2 warnings)")
                .contains("worker.mime: valid (cloud-config + shell script, 0 errors, 0 warnings)");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void errorsComeFirstInCompilerFormatAndExitOne() throws URISyntaxException {
        String file = example("broken.yaml");

        assertThat(run("validate", file)).isEqualTo(1);
        String text = out.toString();
        assertThat(text).contains(file + ":2:11: error: hostname: 'store_0042' is not a valid host name")
                .contains(file + ":3:1: error: unknown key 'runcmdd' in the cloud-config\n    hint: did you mean 'runcmd'?")
                .contains(file + ":10:11: error: mooring.overlay.cidr: '100.64.192.1/23' has host bits set")
                .contains(file + ":11:10: error: mooring.overlay.vni: VNI 0 is outside 1..16777215")
                .contains(file + ": invalid (4 errors, 1 warning)");
        assertThat(text.indexOf("warning:")).isGreaterThan(text.lastIndexOf("error:"));
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void jsonCarriesTheSameFields() throws Exception {
        String file = example("broken.yaml");

        assertThat(run("validate", "--format", "json", file)).isEqualTo(1);
        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertThat(root.get("valid").asBoolean()).isFalse();
        JsonNode first = root.get("files").get(0).get("errors").get(0);
        assertThat(first.get("severity").asText()).isEqualTo("error");
        assertThat(first.get("file").asText()).isEqualTo(file);
        assertThat(first.get("line").asInt()).isEqualTo(2);
        assertThat(first.get("column").asInt()).isEqualTo(11);
        assertThat(first.get("message").asText()).contains("not a valid host name");
        assertThat(first.get("hint").asText()).isNotBlank();
        assertThat(root.get("files").get(0).get("warnings").get(0).get("message").asText()).contains("decimal");
    }

    @Test
    void aMissingFileIsInvalidNotAUsageError() {
        assertThat(run("validate", "/nonexistent/user-data")).isEqualTo(1);
        assertThat(out.toString()).contains("/nonexistent/user-data: error: no such file");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("validate", "--format", "xml", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("--format");
        assertThat(run("validate")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand");
    }
}
