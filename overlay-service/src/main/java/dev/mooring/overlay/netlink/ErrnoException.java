package dev.mooring.overlay.netlink;

import java.io.IOException;
import java.util.Optional;

/**
 * A system call or a netlink request failed with an errno. The message names the call and the
 * errno ({@code sendto: ENOBUFS (No buffer space available)}) and, for a netlink request, the
 * kernel's extended-ack text when it sent one.
 */
public final class ErrnoException extends IOException {
    private final String call;
    private final int errno;
    private final String kernelMessage;

    public ErrnoException(String call, int errno) {
        this(call, errno, null);
    }

    /**
     * @param kernelMessage the kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG}), or null
     */
    public ErrnoException(String call, int errno, String kernelMessage) {
        super(call + ": " + Errno.describe(errno) + (kernelMessage == null ? "" : " — kernel: " + kernelMessage));
        this.call = call;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** The failed call ({@code socket}, {@code bind}, {@code netlink request}, ...). */
    public String call() {
        return call;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The kernel's own explanation, e.g. {@code "Unknown device type"}, when it gave one. */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(kernelMessage);
    }
}
