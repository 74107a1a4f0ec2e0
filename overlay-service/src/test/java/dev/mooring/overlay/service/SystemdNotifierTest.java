package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.netlink.ErrnoException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {

    @Test
    void sendsToASocketPath(@TempDir Path dir) throws Exception {
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify").toString())) {
            assertThat(SystemdNotifier.to(systemd.name).notify("READY=1\nSTATUS=up")).isTrue();
            assertThat(systemd.receive(Duration.ofSeconds(5))).contains("READY=1\nSTATUS=up");
        }
    }

    @Test
    void sendsToAnAbstractName() throws Exception {
        String name = "@mooring-test-" + ThreadLocalRandom.current().nextInt(1 << 30);
        try (NotifySocket systemd = new NotifySocket(name)) {
            assertThat(SystemdNotifier.to(name).notify("READY=1")).isTrue();
            assertThat(systemd.receive(Duration.ofSeconds(5))).contains("READY=1");
        }
    }

    @Test
    void withoutASocketSendsNothing() throws Exception {
        assertThat(SystemdNotifier.to(null).notify("READY=1")).isFalse();
        assertThat(SystemdNotifier.to("").notify("READY=1")).isFalse();
    }

    @Test
    void aSocketThatIsGoneIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> SystemdNotifier.to(dir.resolve("absent").toString()).notify("READY=1"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(2));
    }
}
