package dev.mooring.overlay.address;

/**
 * An address, prefix or CIDR that a user wrote is not usable. The message says what is wrong and
 * what to write instead; callers that know the file position add it.
 */
public final class InvalidAddressException extends IllegalArgumentException {
    public InvalidAddressException(String message) {
        super(message);
    }
}
