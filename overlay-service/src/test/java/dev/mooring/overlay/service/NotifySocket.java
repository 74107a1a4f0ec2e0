package dev.mooring.overlay.service;

import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.netlink.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The receiving end of sd_notify, as systemd holds it: a bound AF_UNIX datagram socket. */
final class NotifySocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int EAGAIN = 11;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    final String name;

    /** Binds {@code name} ({@code @x} for the abstract namespace, else a path). */
    NotifySocket(String name) throws ErrnoException {
        this.name = name;
        this.fd = Syscalls.socket(AF_UNIX, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
        Syscalls.bind(fd, SystemdNotifier.address(arena, name));
    }

    /** The next datagram, waiting up to {@code timeout}; empty when none came. */
    Optional<String> receive(Duration timeout) throws ErrnoException, InterruptedException {
        MemorySegment buffer = arena.allocate(4096);
        MemorySegment source = arena.allocate(110);
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                long n = Syscalls.recvfrom(fd, buffer, Syscalls.MSG_DONTWAIT, source, length);
                return Optional.of(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            } catch (ErrnoException e) {
                if (e.errno() != EAGAIN) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        arena.close();
    }
}
