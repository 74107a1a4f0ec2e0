package dev.mooring.overlay.vip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.netlink.NetworkNamespace;
import dev.mooring.overlay.netlink.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The test's own ARP listener: an AF_PACKET socket bound to one interface of a lab namespace,
 * receiving ARP payloads with the link-layer packet type (broadcast or not).
 */
final class ArpReceiver implements AutoCloseable {
    // ETH_P_ALL: on a bridge port the bridge consumes frames before protocol-specific sockets see them;
    // only "all protocols" taps run first. ARP is picked out by the frame's protocol below.
    private static final int ETH_P_ALL_NETWORK_ORDER = Short.toUnsignedInt(Short.reverseBytes((short) 0x0003));
    private static final int ETH_P_ARP_NETWORK_ORDER = Short.toUnsignedInt(Short.reverseBytes((short) 0x0806));
    static final int PACKET_BROADCAST = 1;

    record Frame(GratuitousArpPacket packet, int packetType) {}

    private final int fd;
    private final Arena arena = Arena.ofConfined();

    private ArpReceiver(int fd) {
        this.fd = fd;
    }

    /** Listens on {@code interfaceIndex} inside the namespace at {@code namespaceFile}. */
    static ArpReceiver bind(Path namespaceFile, int interfaceIndex) throws IOException {
        try (NetworkNamespace namespace = NetworkNamespace.open(namespaceFile)) {
            int fd = namespace.call(() -> Syscalls.socket(Syscalls.AF_PACKET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC,
                    ETH_P_ALL_NETWORK_ORDER));
            ArpReceiver receiver = new ArpReceiver(fd);
            MemorySegment address = receiver.arena.allocate(20, 4);
            address.set(JAVA_SHORT, 0, (short) Syscalls.AF_PACKET);
            address.set(JAVA_SHORT, 2, (short) ETH_P_ALL_NETWORK_ORDER);
            address.set(JAVA_INT, 4, interfaceIndex);
            try {
                Syscalls.bind(fd, address);
            } catch (ErrnoException e) {
                receiver.close();
                throw e;
            }
            return receiver;
        }
    }

    /** The next ARP frame, waiting at most {@code timeout} in all. */
    Frame next(Duration timeout) throws IOException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        MemorySegment pollfd = arena.allocate(8, 4);
        MemorySegment buffer = arena.allocate(1500, 8);
        MemorySegment source = arena.allocate(20, 4);
        MemorySegment sourceLength = arena.allocate(JAVA_INT);
        while (true) {
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            pollfd.set(JAVA_SHORT, 6, (short) 0);
            long remaining = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            if (Syscalls.poll(pollfd, 1, (int) remaining) == 0) {
                throw new TimeoutException("no ARP frame within " + timeout);
            }
            long length = Syscalls.recvfrom(fd, buffer, 0, source, sourceLength);
            if (Short.toUnsignedInt(source.get(JAVA_SHORT, 2)) == ETH_P_ARP_NETWORK_ORDER) {
                byte[] bytes = buffer.asSlice(0, length).toArray(JAVA_BYTE);
                return new Frame(GratuitousArpPacket.parse(bytes), Byte.toUnsignedInt(source.get(JAVA_BYTE, 10)));
            }
        }
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        arena.close();
    }
}
