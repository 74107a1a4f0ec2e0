package dev.mooring.overlay.vip;

import java.time.Duration;

/**
 * Whether this host is fit to hold the VIP, beyond being an alive control-plane member: e.g. the
 * API server or etcd answers on its local port. A host that fails it announces itself ineligible,
 * so the VIP goes where the service behind it runs.
 */
@FunctionalInterface
public interface VipHealthCheck {

    /** True when healthy; may block up to the check's timeout, so call it off latency-critical threads. */
    boolean healthy();

    /** No check: every control-plane host is fit. */
    static VipHealthCheck none() {
        return () -> true;
    }

    /** Healthy while a TCP connection to {@code 127.0.0.1:port} succeeds within {@code timeout}. */
    static VipHealthCheck tcp(int port, Duration timeout) {
        return new TcpPortCheck(port, timeout);
    }
}
