package dev.mooring.overlay.netlink;

import dev.mooring.overlay.ServiceLog;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A daemon thread reading rtnetlink notifications from a socket bound to multicast groups. The
 * thread waits in poll(2) on the socket and an eventfd, so {@link #close()} wakes and stops it at
 * once instead of waiting for the next notification or a timeout.
 */
public final class NetlinkSubscription implements AutoCloseable {

    /** Receives notifications on the subscription's thread. */
    public interface Listener {
        /** One notification; its payload is only valid during the call. */
        void onMessage(NetlinkMessage message);

        /** The socket overflowed (ENOBUFS): notifications were lost. */
        void onOverrun();
    }

    private static final int POLLFD_SIZE = 8;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkSocket socket;
    private final int wakeup;
    private final Listener listener;
    private final Thread reader;
    private boolean closed;
    private boolean readerDone;

    private NetlinkSubscription(NetlinkSocket socket, int wakeup, Listener listener, String threadName) {
        this.socket = socket;
        this.wakeup = wakeup;
        this.listener = listener;
        this.reader = Thread.ofPlatform().daemon().name(threadName).unstarted(this::read);
    }

    /**
     * Joins {@code groups} ({@code RTMGRP_*}) in {@code namespace} and starts delivering to
     * {@code listener}. A burst larger than {@code receiveBufferBytes} while the listener is busy
     * is reported as an overrun.
     */
    public static NetlinkSubscription start(NetworkNamespace namespace, int groups, int receiveBufferBytes, String threadName,
                                            Listener listener) throws IOException {
        NetlinkSocket socket = NetlinkSocket.open(namespace, groups, receiveBufferBytes);
        int wakeup;
        try {
            wakeup = Syscalls.eventfd();
        } catch (ErrnoException e) {
            socket.close();
            throw e;
        }
        NetlinkSubscription subscription = new NetlinkSubscription(socket, wakeup, listener, threadName);
        subscription.reader.start();
        return subscription;
    }

    private void read() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfds = arena.allocate(2 * POLLFD_SIZE, 4);
            pollfds.set(JAVA_INT, 0, socket.fd());
            pollfds.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            pollfds.set(JAVA_INT, POLLFD_SIZE, wakeup);
            pollfds.set(JAVA_SHORT, POLLFD_SIZE + 4, Syscalls.POLLIN);
            while (true) {
                pollfds.set(JAVA_SHORT, 6, (short) 0);
                pollfds.set(JAVA_SHORT, POLLFD_SIZE + 6, (short) 0);
                Syscalls.poll(pollfds, 2, -1);
                if (pollfds.get(JAVA_SHORT, POLLFD_SIZE + 6) != 0) {
                    return;
                }
                if (pollfds.get(JAVA_SHORT, 6) != 0) {
                    drain();
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            ServiceLog.error("rtnetlink notifications stopped: " + e.getMessage(), e);
            listener.onOverrun();
        } finally {
            // The reader owns the descriptors: they are freed only once no thread can be inside poll or recv.
            synchronized (this) {
                readerDone = true;
                socket.close();
                Syscalls.close(wakeup);
            }
        }
    }

    private void drain() throws ErrnoException {
        while (true) {
            try {
                var messages = socket.receive(true);
                if (messages.isEmpty()) {
                    return;
                }
                for (NetlinkMessage message : messages) {
                    deliver(message);
                }
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                listener.onOverrun();
            }
        }
    }

    private void deliver(NetlinkMessage message) {
        try {
            listener.onMessage(message);
        } catch (MalformedMessageException e) {
            ServiceLog.warning("ignored a malformed rtnetlink notification: " + e.getMessage());
        } catch (RuntimeException e) {
            ServiceLog.error("rtnetlink listener failed", e);
        }
    }

    /** Stops the thread (waiting for it, unless called from the listener) and closes the socket. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (readerDone) {
                return;
            }
            try {
                Syscalls.signal(wakeup);
            } catch (ErrnoException e) {
                ServiceLog.error("could not wake the rtnetlink reader: " + e.getMessage(), null);
                return;
            }
        }
        if (Thread.currentThread() == reader) {
            return;
        }
        try {
            if (!reader.join(STOP_TIMEOUT)) {
                ServiceLog.warning("rtnetlink reader did not stop within " + STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
