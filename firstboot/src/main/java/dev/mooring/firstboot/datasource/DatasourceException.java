package dev.mooring.firstboot.datasource;

/** A datasource was named but cannot be read (a bad URL, a seed without user-data); the message says what to do. */
public final class DatasourceException extends Exception {
    public DatasourceException(String message) {
        super(message);
    }

    public DatasourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
