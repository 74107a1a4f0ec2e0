package dev.mooring.firstboot.registration;

import java.util.OptionalInt;

/**
 * A registration attempt failed. {@code retryable}: the hub may answer later (no connection,
 * timeouts, 5xx, 429); otherwise the hub refused (bad token, conflict) and retrying cannot help.
 */
public final class HubException extends Exception {

    private final OptionalInt status;
    private final boolean retryable;

    public HubException(OptionalInt status, boolean retryable, String message) {
        super(message);
        this.status = status;
        this.retryable = retryable;
    }

    public OptionalInt status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
