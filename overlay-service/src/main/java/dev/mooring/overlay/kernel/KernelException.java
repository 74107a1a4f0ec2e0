package dev.mooring.overlay.kernel;

/**
 * The kernel refused or failed an operation. {@link #errno()} is the positive errno (0 when the
 * failure is not an errno, e.g. a malformed reply); the message names the operation, the errno
 * by name ({@code EPERM}) and what to do about it.
 */
public final class KernelException extends Exception {
    private final int errno;

    public KernelException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public KernelException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
