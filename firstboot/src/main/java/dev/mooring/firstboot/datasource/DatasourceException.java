package dev.mooring.firstboot.datasource;

/**
 * A datasource was named but cannot be read (a bad URL, a seed without user-data); the message says
 * what to do. {@link #waitsForTheNetwork()} tells an http(s) seed that did not answer in time (the
 * network may not be up yet, a later run can fetch it) from one that can never be read as it is.
 */
public final class DatasourceException extends Exception {

    private final boolean waitsForTheNetwork;

    public DatasourceException(String message) {
        this(message, false);
    }

    public DatasourceException(String message, boolean waitsForTheNetwork) {
        super(message);
        this.waitsForTheNetwork = waitsForTheNetwork;
    }

    public DatasourceException(String message, Throwable cause) {
        super(message, cause);
        this.waitsForTheNetwork = false;
    }

    public boolean waitsForTheNetwork() {
        return waitsForTheNetwork;
    }
}
