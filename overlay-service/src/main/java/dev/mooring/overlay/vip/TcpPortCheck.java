package dev.mooring.overlay.vip;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * {@link VipHealthCheck} by a TCP connect to a port on 127.0.0.1: connected (then
 * closed at once) means healthy; refused, timed out or any other error means not.
 */
public record TcpPortCheck(int port, Duration timeout) implements VipHealthCheck {

    /** A literal, not "localhost": no resolver involved, and IPv4 even where IPv6 is preferred. */
    private static final String LOOPBACK = "127.0.0.1";

    public TcpPortCheck {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: expected 1..65535, got " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: expected a positive duration, got " + timeout);
        }
    }

    @Override
    public boolean healthy() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), (int) Math.max(1, timeout.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
