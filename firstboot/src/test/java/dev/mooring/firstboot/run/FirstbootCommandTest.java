package dev.mooring.firstboot.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.firstboot.cli.FirstbootCommand;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mooring firstboot run|status} end to end on a Debian root directory. */
class FirstbootCommandTest {

    @TempDir
    Path temp;

    record Result(int exit, String out, String err) {
    }

    static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new FirstbootCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void runThenStatus() throws Exception {
        assumeTrue(DebianRoot.isRoot(), "needs root: first boot chowns to the users it creates");
        Path root = DebianRoot.create(Files.createDirectory(temp.resolve("root")));
        String userData = Runs.example("control-plane.yaml").replaceAll("(?s)  registration:.*?\n  cluster:", "  cluster:");
        Path seed = Runs.seed(temp.resolve("seed"), userData, "iid-cli", Optional.empty());

        Result run = execute("run", "--root", root.toString(), "--seed", seed.toString(), "--cmdline", "", "--media-wait", "0s");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("state: ok", "instance: iid-cli (new)", "skipped runcmd[0]");

        Result status = execute("status", "--root", root.toString());
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("state: ok", "registration: not-configured");
        Result json = execute("status", "--root", root.toString(), "-o", "json");
        assertThat(new ObjectMapper().readTree(json.out()).path("instanceId").asText()).isEqualTo("iid-cli");
    }

    @Test
    void aBrokenSeedFailsLoudlyWithPositions() throws Exception {
        Path root = Files.createDirectory(temp.resolve("root"));
        Path seed = Runs.seed(temp.resolve("seed"), Runs.example("broken.yaml"), "iid-broken", Optional.empty());
        Result run = execute("run", "--root", root.toString(), "--seed", seed.toString(), "--cmdline", "", "--media-wait", "0s");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("MOORING FIRST BOOT FAILED", seed + "/user-data:2:11: error: hostname: 'store_0042' is not a valid host name");
        assertThat(execute("status", "--root", root.toString()).exit()).isEqualTo(1);
        try (var files = Files.walk(root)) {
            assertThat(files.map(p -> "/" + root.relativize(p)).filter(p -> !p.equals("/"))).containsExactlyInAnyOrder(
                    "/run", "/run/mooring", "/run/mooring/firstboot.json");
        }
    }

    @Test
    void statusBeforeAnyRunSaysSo() {
        Result status = execute("status", "--root", temp.toString());
        assertThat(status.exit()).isEqualTo(3);
        assertThat(status.err()).contains("first boot has not run");
        assertThat(execute("run", "--root", temp.resolve("missing").toString()).exit()).isEqualTo(2);
        assertThat(execute("status", "-o", "yaml", "--root", temp.toString()).exit()).isEqualTo(2);
    }
}
