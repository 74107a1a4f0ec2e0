package dev.mooring.lab;

import java.time.Duration;

/** A wait ran out of time: names what was awaited, the timeout, and what was last seen. */
public final class LabTimeoutException extends LabException {
    private final Duration timeout;

    public LabTimeoutException(String what, Duration timeout, String lastSeen) {
        super("not ready within " + timeout + ": " + what + (lastSeen.isBlank() ? "" : "\n" + lastSeen));
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
