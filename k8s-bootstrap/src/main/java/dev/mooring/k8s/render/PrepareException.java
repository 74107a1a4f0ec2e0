package dev.mooring.k8s.render;

/**
 * The cluster file and the overlay status do not allow a rendering (a role that disagrees, a
 * missing join token, more control-plane hosts than configured): the message says what is wrong
 * and what to do. Nothing has been written when it is thrown.
 */
public final class PrepareException extends Exception {
    public PrepareException(String message) {
        super(message);
    }
}
