package dev.mooring.overlay.vip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.netlink.Errno;
import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.netlink.NativeSocket;
import dev.mooring.overlay.netlink.NetworkNamespace;
import dev.mooring.overlay.netlink.Syscalls;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link ArpAnnouncer} over an {@code AF_PACKET}/{@code SOCK_DGRAM} socket: the kernel adds the
 * Ethernet header (source = the link's MAC, destination = broadcast), we write the 28-byte ARP
 * packet. Like kube-vip it alternates request and reply; like keepalived it repeats at an
 * interval. Needs CAP_NET_RAW. One socket serves every link; it receives nothing (protocol 0).
 */
public final class GratuitousArpSender implements ArpAnnouncer {

    static final String EPERM_HINT = "needs CAP_NET_RAW: run as root or through the mooring-overlay unit "
            + "(AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW)";

    private static final int ETH_P_ARP = 0x0806;
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final int IFREQ_SIZE = 40;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final int MAX_NAME_BYTES = 15;

    private final NetworkNamespace namespace;
    private final NativeSocket socket;
    private final MemorySegment destination;
    private final MemorySegment packet;
    private final MemorySegment ifreq;
    private boolean closed;

    private GratuitousArpSender(NetworkNamespace namespace, NativeSocket socket) {
        this.namespace = namespace;
        this.socket = socket;
        this.destination = socket.arena().allocate(SOCKADDR_LL_SIZE, 4);
        this.packet = socket.arena().allocate(GratuitousArpPacket.SIZE, 4);
        this.ifreq = socket.arena().allocate(IFREQ_SIZE, 8);
    }

    /** A sender for the links of the calling thread's network namespace. */
    public static GratuitousArpSender open() throws KernelException {
        return open(NetworkNamespace.current());
    }

    /** A sender for the links of another namespace ({@code /run/netns/NAME}); for tests and benchmarks. */
    public static GratuitousArpSender openIn(Path namespaceFile) throws KernelException {
        try {
            return NetworkNamespace.openFor(namespaceFile, GratuitousArpSender::open);
        } catch (ErrnoException e) {
            throw new KernelException("open network namespace " + namespaceFile + " failed: " + Errno.describe(e.errno()), e.errno(), e);
        }
    }

    private static GratuitousArpSender open(NetworkNamespace namespace) throws KernelException {
        try {
            return new GratuitousArpSender(namespace, NativeSocket.open(namespace, Syscalls.AF_PACKET, Syscalls.SOCK_DGRAM, 0));
        } catch (ErrnoException e) {
            throw failure("open an AF_PACKET socket for gratuitous ARP", e);
        } catch (IOException e) {
            throw new KernelException("open an AF_PACKET socket for gratuitous ARP failed: " + e.getMessage(), 0, e);
        }
    }

    @Override
    public synchronized void announce(String link, Ipv4Address address, MacAddress mac, int count, Duration interval)
            throws KernelException {
        if (closed) {
            throw new IllegalStateException("this GratuitousArpSender is closed");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count: expected at least 1, got " + count);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval: expected zero or more, got " + interval);
        }
        String action = "announce " + address + " at " + mac + " on '" + link + "'";
        int index = index(link, action);
        destination.fill((byte) 0);
        destination.set(JAVA_SHORT, 0, (short) Syscalls.AF_PACKET);
        destination.set(JAVA_BYTE, 2, (byte) (ETH_P_ARP >>> 8)); // sll_protocol, network byte order
        destination.set(JAVA_BYTE, 3, (byte) ETH_P_ARP);
        destination.set(JAVA_INT, 4, index);
        destination.set(JAVA_BYTE, 11, (byte) 6); // sll_halen
        MemorySegment.copy(MacAddress.BROADCAST.toBytes(), 0, destination, JAVA_BYTE, 12, 6);
        byte[] request = GratuitousArpPacket.request(address, mac).toBytes();
        byte[] reply = GratuitousArpPacket.reply(address, mac).toBytes();
        for (int i = 0; i < count; i++) {
            if (i > 0 && !interval.isZero()) {
                try {
                    Thread.sleep(interval); // pacing between frames, as keepalived's garp interval
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KernelException(action + " interrupted after " + i + " of " + count + " frames", Errno.EINTR, e);
                }
            }
            MemorySegment.copy(i % 2 == 0 ? request : reply, 0, packet, JAVA_BYTE, 0, GratuitousArpPacket.SIZE);
            try {
                Syscalls.sendto(socket.fd(), packet, GratuitousArpPacket.SIZE, 0, destination);
            } catch (ErrnoException e) {
                throw failure(action, e);
            }
        }
    }

    private int index(String link, String action) throws KernelException {
        byte[] name = link.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_NAME_BYTES) {
            throw new KernelException(action + " failed: " + Errno.describe(Errno.EINVAL) + ": '" + link
                    + "' is not a valid interface name (1-15 bytes)", Errno.EINVAL);
        }
        ifreq.fill((byte) 0);
        MemorySegment.copy(name, 0, ifreq, JAVA_BYTE, 0, name.length);
        try {
            // Asked through the packet socket, so the name is looked up in the socket's namespace.
            Syscalls.ioctl(socket.fd(), SIOCGIFINDEX, ifreq, "SIOCGIFINDEX");
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENODEV) {
                throw new KernelException(action + " failed: " + Errno.describe(Errno.ENODEV) + ": link '" + link
                        + "' does not exist in the " + namespace + "; check the name (ip link show)", Errno.ENODEV, e);
            }
            throw failure(action, e);
        }
        return ifreq.get(JAVA_INT, 16);
    }

    private static KernelException failure(String action, ErrnoException e) {
        String hint = switch (e.errno()) {
            case Errno.EPERM, Errno.EACCES -> "; " + EPERM_HINT;
            case Errno.ENETDOWN, Errno.ENXIO -> "; the link is down: set it up first";
            case Errno.EAFNOSUPPORT -> "; the kernel has no AF_PACKET support (CONFIG_PACKET)";
            default -> "";
        };
        return new KernelException(action + " failed: " + Errno.describe(e.errno()) + hint, e.errno(), e);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            socket.close();
            namespace.close();
        }
    }
}
