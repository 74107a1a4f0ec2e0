package dev.mooring.lab;

/**
 * Something in the lab did not work: a command failed, a machine did not become ready in time, the
 * guest did not answer. The message says what was expected, what was seen and where to look (the
 * console log of the machine, dnsmasq's log).
 */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
