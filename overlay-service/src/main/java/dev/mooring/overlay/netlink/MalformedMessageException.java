package dev.mooring.overlay.netlink;

/**
 * Bytes that claim to be netlink but are not: a length that runs past the datagram, an attribute
 * too short for its type, a truncated header. The codec's only exception; the message says what
 * was wrong and at which offset.
 */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }
}
