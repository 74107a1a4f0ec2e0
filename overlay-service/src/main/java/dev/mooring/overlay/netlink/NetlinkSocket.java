package dev.mooring.overlay.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code NETLINK_ROUTE} socket over FFM. As a request socket it sends one message at a time and
 * reads until the kernel's answer with the same sequence number ({@link #exchange}, {@link #dump});
 * bound to multicast groups it receives notifications ({@link #receive}). The native buffers are
 * allocated once per socket and reused: 64 KiB to receive (the kernel never sends a dump datagram
 * larger than 32 KiB), 16 KiB to send.
 *
 * <p>Requests are serialised by the socket's monitor; {@link #receive} is for one reader thread.
 */
public final class NetlinkSocket implements AutoCloseable {

    /** Turns one reply message into a value; returns null to skip it. The payload is only valid during the call. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(NetlinkMessage message);
    }

    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int SEND_BUFFER = 16 * 1024;
    private static final int DUMP_ATTEMPTS = 8;

    private final NativeSocket socket;
    private final int fd;
    private final MemorySegment kernelAddress;
    private final MemorySegment sourceAddress;
    private final MemorySegment sourceLength;
    private final MemorySegment sendBuffer;
    private MemorySegment receiveBuffer;
    private int nextSequence = 1;

    private NetlinkSocket(NativeSocket socket) {
        this.socket = socket;
        this.fd = socket.fd();
        Arena arena = socket.arena();
        this.kernelAddress = sockaddr(arena, 0);
        this.sourceAddress = arena.allocate(SOCKADDR_NL_SIZE, 4);
        this.sourceLength = arena.allocate(JAVA_INT);
        this.sendBuffer = arena.allocate(SEND_BUFFER, 8);
        this.receiveBuffer = arena.allocate(RECEIVE_BUFFER, 8);
    }

    private static MemorySegment sockaddr(Arena arena, int groups) {
        MemorySegment address = arena.allocate(SOCKADDR_NL_SIZE, 4);
        address.set(JAVA_SHORT, 0, (short) Syscalls.AF_NETLINK);
        address.set(JAVA_INT, 4, 0); // port id: 0 lets the kernel choose for us, and is the kernel as a destination
        address.set(JAVA_INT, 8, groups);
        return address;
    }

    /**
     * Opens and binds a socket in {@code namespace}.
     *
     * @param groups             rtnetlink multicast groups to join ({@code RTMGRP_*}), 0 for a request socket
     * @param receiveBufferBytes the socket's receive buffer; raised past the system limit when
     *                           the process may (SO_RCVBUFFORCE), else set as far as allowed
     */
    public static NetlinkSocket open(NetworkNamespace namespace, int groups, int receiveBufferBytes) throws IOException {
        NativeSocket nativeSocket = NativeSocket.open(namespace, Syscalls.AF_NETLINK, Syscalls.SOCK_RAW, Rtnetlink.NETLINK_ROUTE);
        int fd = nativeSocket.fd();
        try {
            NetlinkSocket socket = new NetlinkSocket(nativeSocket);
            try {
                Syscalls.setIntOption(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUFFORCE, receiveBufferBytes, "SO_RCVBUFFORCE");
            } catch (ErrnoException notPermitted) {
                Syscalls.setIntOption(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, receiveBufferBytes, "SO_RCVBUF");
            }
            optional(fd, Rtnetlink.NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
            optional(fd, Rtnetlink.NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
            Syscalls.bind(fd, sockaddr(nativeSocket.arena(), groups));
            return socket;
        } catch (ErrnoException | RuntimeException e) {
            nativeSocket.close();
            throw e;
        }
    }

    private static void optional(int fd, int option, String name) {
        try {
            Syscalls.setIntOption(fd, Rtnetlink.SOL_NETLINK, option, 1, name);
        } catch (ErrnoException olderKernel) {
            // Only message quality depends on these (kernel error text, short ACKs); old kernels lack them.
        }
    }

    /** The descriptor, for poll(2). */
    public int fd() {
        return fd;
    }

    /**
     * Sends {@code request} (with NLM_F_REQUEST and NLM_F_ACK added) and waits for the kernel's
     * acknowledgement. Messages the kernel sends back before it (the answer to a GET) are parsed by
     * {@code parser}.
     *
     * @throws ErrnoException the kernel refused: its errno and extended-ack text, with {@code operation} as the call
     */
    public synchronized <T> List<T> exchange(MessageWriter request, String operation, Parser<T> parser) throws ErrnoException {
        int sequence = send(request, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK);
        List<T> results = new ArrayList<>();
        while (true) {
            ByteBuffer datagram = receiveDatagram(operation, 0);
            for (NetlinkMessage message : NetlinkMessage.parseAll(datagram)) {
                if (message.sequence() != sequence) {
                    continue; // an answer to an earlier request that was abandoned
                }
                if (message.isError()) {
                    NetlinkMessage.Acknowledgement ack = message.acknowledgement();
                    if (ack.errno() != 0) {
                        throw new ErrnoException(operation, ack.errno(), ack.kernelMessage().orElse(null));
                    }
                    return results;
                }
                T value = parser.parse(message);
                if (value != null) {
                    results.add(value);
                }
            }
        }
    }

    /**
     * Sends {@code request} as a dump (NLM_F_REQUEST | NLM_F_DUMP) and parses every reply until
     * NLMSG_DONE. A dump the kernel marks as interrupted (NLM_F_DUMP_INTR: the table changed while
     * it was read) or that overflowed the receive buffer is started again.
     */
    public synchronized <T> List<T> dump(MessageWriter request, String operation, Parser<T> parser) throws ErrnoException {
        ErrnoException lastOverflow = null;
        for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
            int sequence = send(request, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP);
            List<T> results = new ArrayList<>();
            boolean interrupted = false;
            try {
                receiving:
                while (true) {
                    ByteBuffer datagram = receiveDatagram(operation, 0);
                    for (NetlinkMessage message : NetlinkMessage.parseAll(datagram)) {
                        if (message.sequence() != sequence) {
                            continue;
                        }
                        interrupted |= message.hasFlag(NetlinkMessage.NLM_F_DUMP_INTR);
                        if (message.isDone() || message.isError()) {
                            NetlinkMessage.Acknowledgement ack = message.acknowledgement();
                            if (ack.errno() != 0) {
                                throw new ErrnoException(operation, ack.errno(), ack.kernelMessage().orElse(null));
                            }
                            break receiving;
                        }
                        if (!interrupted) {
                            T value = parser.parse(message);
                            if (value != null) {
                                results.add(value);
                            }
                        }
                    }
                }
            } catch (ErrnoException e) {
                drainAbandonedDump();
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                lastOverflow = e;
                interrupted = true;
            } catch (RuntimeException e) {
                drainAbandonedDump();
                throw e;
            }
            if (!interrupted) {
                return results;
            }
        }
        throw lastOverflow != null ? lastOverflow
                : new ErrnoException(operation + " (the table kept changing during " + DUMP_ATTEMPTS + " dumps)", Errno.EAGAIN);
    }

    /**
     * Reads out the rest of a dump we stopped reading: the kernel keeps a socket's dump running
     * until it is read to the end and refuses the next dump with EBUSY meanwhile. Each
     * non-blocking receive makes the kernel produce the next part, so this ends at NLMSG_DONE.
     */
    private void drainAbandonedDump() {
        for (int i = 0; i < 100_000; i++) {
            try {
                receiveDatagram("drain an abandoned dump", Syscalls.MSG_DONTWAIT);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
            }
        }
    }

    /**
     * Blocks for one datagram and returns its messages (views valid until the next receive).
     * With {@code dontWait}, returns an empty list when nothing is queued.
     *
     * @throws ErrnoException ENOBUFS when notifications were dropped because the socket overflowed
     */
    public List<NetlinkMessage> receive(boolean dontWait) throws ErrnoException {
        try {
            return NetlinkMessage.parseAll(receiveDatagram("receive notifications", dontWait ? Syscalls.MSG_DONTWAIT : 0));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return List.of();
            }
            throw e;
        }
    }

    private int send(MessageWriter request, int flags) throws ErrnoException {
        int sequence = nextSequence++;
        ByteBuffer message = request.sequence(sequence).finish();
        int length = message.remaining();
        if (length > sendBuffer.byteSize()) {
            throw new IllegalArgumentException("request: " + length + " bytes exceed the " + sendBuffer.byteSize() + "-byte send buffer");
        }
        MemorySegment.copy(MemorySegment.ofBuffer(message), 0, sendBuffer, 0, length);
        short existing = sendBuffer.get(JAVA_SHORT, 6);
        sendBuffer.set(JAVA_SHORT, 6, (short) (existing | flags));
        Syscalls.sendto(fd, sendBuffer, length, 0, kernelAddress);
        return sequence;
    }

    private ByteBuffer receiveDatagram(String operation, int flags) throws ErrnoException {
        while (true) {
            long length = Syscalls.recvfrom(fd, receiveBuffer, flags | Syscalls.MSG_TRUNC, sourceAddress, sourceLength);
            if (sourceAddress.get(JAVA_INT, 4) != 0) {
                continue; // only the kernel (port 0) speaks rtnetlink to us
            }
            if (length > receiveBuffer.byteSize()) {
                // The datagram is lost; a larger buffer catches the next one. Callers treat this as an overflow.
                receiveBuffer = socket.arena().allocate(length, 8);
                throw new ErrnoException(operation + " (a " + length + "-byte datagram was truncated)", Errno.ENOBUFS);
            }
            return receiveBuffer.asSlice(0, length).asByteBuffer().order(ByteOrder.nativeOrder());
        }
    }

    /** Synchronised like the requests, so the buffers are never freed under one in flight. */
    @Override
    public synchronized void close() {
        socket.close();
    }
}
