package dev.mooring.runtime.aot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.runtime.Mooring;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training must take the paths a device takes: each step ends as it says, on the samples in the jar. */
class TrainingRunTest {

    @Test
    void everyStepEndsWithItsExpectedStatus(@TempDir Path samples) throws Exception {
        TrainingRun.copySamples(samples);
        for (TrainingRun.Step step : TrainingRun.steps(samples)) {
            StringWriter err = new StringWriter();
            int status = Mooring.commandLine(Map.of())
                    .setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err))
                    .execute(step.args().toArray(String[]::new));
            assertThat(status).as("mooring %s: %s", String.join(" ", step.args()), err).isEqualTo(step.expected().code());
        }
    }
}
