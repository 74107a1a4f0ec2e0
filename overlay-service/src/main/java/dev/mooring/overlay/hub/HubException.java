package dev.mooring.overlay.hub;

/** The hub could not be used this round (unreachable, refused, bad credentials); the overlay goes on. */
public final class HubException extends Exception {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
