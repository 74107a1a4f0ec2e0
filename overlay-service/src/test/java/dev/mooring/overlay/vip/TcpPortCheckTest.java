package dev.mooring.overlay.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Against a real listening socket on 127.0.0.1, which any user may open. */
class TcpPortCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void healthyWhileSomethingListensOnThePortAndNotAfter() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = server.getLocalPort();
            assertThat(VipHealthCheck.tcp(port, TIMEOUT).healthy()).isTrue();
        }
        assertThat(VipHealthCheck.tcp(port, TIMEOUT).healthy()).isFalse();
    }

    @Test
    void noCheckIsAlwaysHealthy() {
        assertThat(VipHealthCheck.none().healthy()).isTrue();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> VipHealthCheck.tcp(0, TIMEOUT)).hasMessage("port: expected 1..65535, got 0");
        assertThatThrownBy(() -> VipHealthCheck.tcp(2379, Duration.ZERO)).hasMessage("timeout: expected a positive duration, got PT0S");
    }
}
