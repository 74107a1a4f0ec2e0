package dev.mooring.overlay.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;

/**
 * A socket descriptor and the native memory its calls use (addresses, send and receive buffers):
 * created in a network namespace, released together and once. The netlink socket and the
 * gratuitous ARP sender are built on one.
 */
public final class NativeSocket implements AutoCloseable {

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private boolean closed;

    private NativeSocket(int fd) {
        this.fd = fd;
    }

    /** socket(2), close-on-exec, created inside {@code namespace} (where it then stays). */
    public static NativeSocket open(NetworkNamespace namespace, int domain, int type, int protocol) throws IOException {
        return new NativeSocket(namespace.call(() -> Syscalls.socket(domain, type | Syscalls.SOCK_CLOEXEC, protocol)));
    }

    public int fd() {
        return fd;
    }

    /** Native memory that lives exactly as long as the socket. */
    public Arena arena() {
        return arena;
    }

    /** Closes the descriptor and frees the memory; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
            arena.close();
        }
    }
}
