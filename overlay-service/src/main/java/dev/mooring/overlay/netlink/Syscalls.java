package dev.mooring.overlay.netlink;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the overlay's sockets need, as FFM downcalls that capture errno. Each method
 * returns the call's result or throws {@link ErrnoException}; EINTR is retried here, so callers
 * never see it. Buffers are {@link MemorySegment}s owned by the caller.
 */
public final class Syscalls {
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final short POLLIN = 0x1;

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // Making a downcall handle spins method-handle classes at run time (the AOT cache cannot hold
    // them), several milliseconds each. The socket calls above serve every use; the rest are made
    // on their first call, in holders, so a start that does not need them does not pay for them.

    /** Entering another network namespace (tests, namespace-scoped tools). */
    private static final class Namespaces {
        static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** Interface lookups for AF_PACKET (the VIP's gratuitous ARP). */
    private static final class Ioctl {
        static final MethodHandle IOCTL = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(2));
    }

    /** A subscription's poll loop and its wake-up eventfd. */
    private static final class Wakeup {
        static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    // One small errno buffer per thread: the calls are frequent, the buffer is tiny and reused.
    private static final ThreadLocal<MemorySegment> CALL_STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private Syscalls() {}

    @SuppressWarnings("restricted") // the point of this class; the launcher passes --enable-native-access
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static ErrnoException failure(String call, MemorySegment state) {
        return new ErrnoException(call, errno(state));
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
            if (fd < 0) {
                throw failure("socket", state);
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket downcall", t);
        }
    }

    /** bind(2) to the socket address in {@code address}. */
    public static void bind(int fd, MemorySegment address) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            if ((int) BIND.invokeExact(state, fd, address, (int) address.byteSize()) < 0) {
                throw failure("bind", state);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("bind downcall", t);
        }
    }

    /** setsockopt(2) with an int value. */
    public static void setIntOption(int fd, int level, int option, int value, String optionName) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            if ((int) SETSOCKOPT.invokeExact(state, fd, level, option, v, 4) < 0) {
                throw failure("setsockopt " + optionName, state);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt downcall", t);
        }
    }

    /** sendto(2) of {@code length} bytes of {@code buffer} to {@code address}; returns the bytes sent. */
    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            while (true) {
                long n = (long) SENDTO.invokeExact(state, fd, buffer, length, flags, address, (int) address.byteSize());
                if (n >= 0) {
                    return n;
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure("sendto", state);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sendto downcall", t);
        }
    }

    /**
     * recvfrom(2) into {@code buffer}; the sender's address goes to {@code source} (its size is
     * passed as the address length). With {@link #MSG_TRUNC} the result is the datagram's real
     * length, which may exceed the buffer.
     */
    public static long recvfrom(int fd, MemorySegment buffer, int flags, MemorySegment source, MemorySegment sourceLength)
            throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            while (true) {
                sourceLength.set(JAVA_INT, 0, (int) source.byteSize());
                long n = (long) RECVFROM.invokeExact(state, fd, buffer, buffer.byteSize(), flags, source, sourceLength);
                if (n >= 0) {
                    return n;
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure("recvfrom", state);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("recvfrom downcall", t);
        }
    }

    /** close(2); an error is ignored, as the descriptor is released either way on Linux. */
    public static void close(int fd) {
        MemorySegment state = CALL_STATE.get();
        try {
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall", t);
        }
    }

    /** open(2) read-only, close-on-exec. */
    public static int openReadOnly(String path) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Namespaces.OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("open " + path, state);
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall", t);
        }
    }

    /** setns(2) into the network namespace {@code fd}: affects only the calling thread. */
    public static void enterNetworkNamespace(int fd) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            if ((int) Namespaces.SETNS.invokeExact(state, fd, CLONE_NEWNET) < 0) {
                throw failure("setns", state);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns downcall", t);
        }
    }

    /** ioctl(2) with a pointer argument. */
    public static int ioctl(int fd, long request, MemorySegment argument, String requestName) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            int result = (int) Ioctl.IOCTL.invokeExact(state, fd, request, argument);
            if (result < 0) {
                throw failure("ioctl " + requestName, state);
            }
            return result;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall", t);
        }
    }

    /** poll(2) over {@code count} pollfd structs; blocks without limit when {@code timeoutMillis} is -1. */
    public static int poll(MemorySegment pollfds, int count, int timeoutMillis) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            while (true) {
                int n = (int) Wakeup.POLL.invokeExact(state, pollfds, (long) count, timeoutMillis);
                if (n >= 0) {
                    return n;
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure("poll", state);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("poll downcall", t);
        }
    }

    /** eventfd(2), close-on-exec: a descriptor another thread can make readable to wake a poll. */
    public static int eventfd() throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try {
            int fd = (int) Wakeup.EVENTFD.invokeExact(state, 0, EFD_CLOEXEC);
            if (fd < 0) {
                throw failure("eventfd", state);
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("eventfd downcall", t);
        }
    }

    /** Adds 1 to an eventfd's counter, which makes it readable. */
    public static void signal(int eventfd) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocateFrom(JAVA_LONG, 1L);
            if ((long) Wakeup.WRITE.invokeExact(state, eventfd, one, 8L) < 0) {
                throw failure("write eventfd", state);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("write downcall", t);
        }
    }
}
