package dev.mooring.overlay.netlink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where sockets are created. A socket stays in the network namespace it was created in, so
 * creating it is all that has to happen "inside": {@link #current()} creates sockets on the calling
 * thread; {@link #open(Path)} (e.g. {@code /run/netns/NAME}) creates them on a short-lived thread
 * that first joins that namespace with setns(2), leaving every other thread where it was.
 */
public final class NetworkNamespace implements AutoCloseable {

    /** Work that runs inside the namespace, e.g. opening a socket. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    /** Builds something that takes over the namespace it is given: closing that closes the namespace. */
    @FunctionalInterface
    public interface Owner<T, E extends Exception> {
        T take(NetworkNamespace namespace) throws E;
    }

    private static final NetworkNamespace CURRENT = new NetworkNamespace(null, -1);

    private final Path file;
    private final int fd;

    private NetworkNamespace(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** The namespace of whichever thread creates the socket (normally the process's own). */
    public static NetworkNamespace current() {
        return CURRENT;
    }

    /** The namespace bound at {@code file} ({@code /run/netns/NAME} or {@code /proc/PID/ns/net}); close it when done. */
    public static NetworkNamespace open(Path file) throws ErrnoException {
        return new NetworkNamespace(file, Syscalls.openReadOnly(file.toString()));
    }

    /**
     * Opens the namespace bound at {@code file} and hands it to {@code owner}; if the owner fails,
     * the namespace is closed again, so nothing leaks.
     *
     * @throws ErrnoException the namespace could not be opened (ENOENT: no such namespace)
     */
    public static <T, E extends Exception> T openFor(Path file, Owner<T, E> owner) throws ErrnoException, E {
        NetworkNamespace namespace = open(file);
        try {
            return owner.take(namespace);
        } catch (Throwable t) {
            namespace.close();
            throw t;
        }
    }

    /** Runs {@code action} inside this namespace and returns its result. */
    public <T> T call(Action<T> action) throws IOException {
        if (fd < 0) {
            return action.run();
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // A fresh platform thread that ends right after: setns(2) changes only the calling thread,
        // and no pooled or virtual-thread carrier must ever be left in another namespace.
        Thread thread = Thread.ofPlatform().daemon().name("netns-" + file.getFileName()).start(() -> {
            try {
                Syscalls.enterNetworkNamespace(fd);
                result.set(action.run());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering network namespace " + file, e);
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Syscalls.close(fd);
        }
    }

    @Override
    public String toString() {
        return file == null ? "current network namespace" : "network namespace " + file;
    }
}
