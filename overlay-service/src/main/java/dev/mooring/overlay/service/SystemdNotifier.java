package dev.mooring.overlay.service;

import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.netlink.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Tells systemd about the service ({@code sd_notify}): one datagram of {@code KEY=value} lines to
 * the AF_UNIX socket named by {@code $NOTIFY_SOCKET}. The JDK's DatagramChannel has no AF_UNIX
 * datagrams, so this is a single FFM sendto. A name starting with '@' is in the abstract
 * namespace (leading NUL, no terminator). Without {@code $NOTIFY_SOCKET} (not started by systemd
 * as Type=notify) nothing is sent.
 */
public final class SystemdNotifier {

    private static final int AF_UNIX = 1;
    /** sizeof(sockaddr_un.sun_path). */
    private static final int SUN_PATH = 108;

    private final Optional<String> socket;

    private SystemdNotifier(Optional<String> socket) {
        this.socket = socket;
    }

    /** A notifier for {@code $NOTIFY_SOCKET}; silent when it is unset or empty. */
    public static SystemdNotifier fromEnvironment() {
        return to(System.getenv("NOTIFY_SOCKET"));
    }

    /** A notifier for the socket {@code path} ({@code @name} for the abstract namespace), silent for null. */
    public static SystemdNotifier to(String path) {
        return new SystemdNotifier(Optional.ofNullable(path).filter(p -> !p.isEmpty()));
    }

    /**
     * Sends {@code state} (e.g. {@code READY=1\nSTATUS=...}); returns false when there is no
     * socket to send to.
     *
     * @throws ErrnoException when the socket exists but the datagram cannot be sent
     */
    public boolean notify(String state) throws ErrnoException {
        if (socket.isEmpty()) {
            return false;
        }
        byte[] payload = state.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(arena, socket.get());
            MemorySegment buffer = arena.allocate(Math.max(1, payload.length));
            MemorySegment.copy(payload, 0, buffer, ValueLayout.JAVA_BYTE, 0, payload.length);
            int fd = Syscalls.socket(AF_UNIX, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
            try {
                Syscalls.sendto(fd, buffer, payload.length, 0, address);
            } finally {
                Syscalls.close(fd);
            }
        }
        return true;
    }

    /** A {@code sockaddr_un} whose size is the address length to pass. */
    static MemorySegment address(Arena arena, String path) {
        boolean abstractName = path.startsWith("@");
        byte[] name = (abstractName ? path.substring(1) : path).getBytes(StandardCharsets.UTF_8);
        // Abstract: NUL + name, length counts exactly those bytes. Path: name + NUL terminator.
        int pathBytes = name.length + 1;
        if (pathBytes > SUN_PATH) {
            throw new IllegalArgumentException("NOTIFY_SOCKET '" + path + "' is longer than " + (SUN_PATH - 1) + " bytes");
        }
        MemorySegment sa = arena.allocate(2 + pathBytes);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, sa, ValueLayout.JAVA_BYTE, abstractName ? 3 : 2, name.length);
        return sa;
    }
}
