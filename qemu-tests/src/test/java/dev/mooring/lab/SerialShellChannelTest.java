package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SerialShellChannelTest {

    /** A guest slower than one probe must get longer ones, or queued probes pile up faster than it answers. */
    @Test
    void readinessProbesDoubleUpToAMinute() {
        List<Long> seconds = new ArrayList<>();
        Duration step = SerialShellChannel.INITIAL_PROBE;
        for (int i = 0; i < 8; i++) {
            seconds.add(step.toSeconds());
            step = SerialShellChannel.nextProbe(step);
        }
        assertThat(seconds).containsExactly(3L, 6L, 12L, 24L, 48L, 60L, 60L, 60L);
    }
}
