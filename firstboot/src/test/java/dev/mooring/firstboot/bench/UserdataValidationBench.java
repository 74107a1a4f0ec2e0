package dev.mooring.firstboot.bench;

import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Average time to validate a typical ~3 KB user-data in-process (the control-plane example:
 * users, write_files with base64 and gzip, commands, the mooring section), from bytes to the
 * typed model. Run: {@code java -cp <test classpath> org.openjdk.jmh.Main UserdataValidationBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UserdataValidationBench {

    private byte[] userData;
    private UserDataValidator validator;

    @Setup
    public void load() throws IOException {
        try (InputStream in = UserdataValidationBench.class.getResourceAsStream("/examples/control-plane.yaml")) {
            userData = in.readAllBytes();
        }
        // Timezone lookups against the real tz database are part of a real validation.
        validator = new UserDataValidator(CloudInitKeys.bundled(), Timezones.system());
        if (!validator.validate("control-plane.yaml", userData).isValid()) {
            throw new IllegalStateException("the benchmark document must be valid");
        }
    }

    @Benchmark
    public Validation validateTypicalUserData() {
        return validator.validate("control-plane.yaml", userData);
    }
}
