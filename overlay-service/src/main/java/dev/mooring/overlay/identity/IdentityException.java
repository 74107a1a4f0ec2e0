package dev.mooring.overlay.identity;

import java.nio.file.Path;

/**
 * The persisted identity cannot be used: the file is unreadable or corrupt, or the configuration
 * contradicts it ({@link Conflict}). The message names the file, says what is wrong and what to
 * do; nothing has been changed.
 */
public sealed class IdentityException extends Exception permits IdentityException.Conflict {

    private final Path file;

    public IdentityException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The identity file concerned. */
    public Path file() {
        return file;
    }

    /**
     * The configuration asks for a CIDR, VIP, VNI or address other than the persisted one: a
     * mistake in the configuration (exit code "invalid"), not a failure of the host.
     */
    public static final class Conflict extends IdentityException {
        public Conflict(Path file, String message) {
            super(file, message, null);
        }
    }
}
