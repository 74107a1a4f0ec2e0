package dev.mooring.hub.store;

/** The store failed (the database is unreachable, the disk is full); not the client's fault. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
