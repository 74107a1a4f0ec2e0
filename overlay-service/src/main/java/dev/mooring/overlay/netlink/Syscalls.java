package dev.mooring.overlay.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;

/**
 * The few system calls the overlay's sockets need, as FFM downcalls that capture errno. Each
 * method returns the call's result or throws {@link ErrnoException}; EINTR is retried here, so
 * callers never see it. Buffers are native {@link MemorySegment}s owned by the caller.
 *
 * <p>Every call goes through one downcall handle, libc's {@code syscall(2)} with six long
 * arguments, rather than one handle per libc function: making a downcall handle spins
 * method-handle classes at run time that the AOT cache cannot hold, about 15 ms each while the
 * service starts, and handles of one shape share them. Pointers are passed as addresses, so
 * {@link #address} insists on a live native segment and each call keeps its segments reachable
 * until it returns. The numbers are x86_64's, the only architecture Mooring builds for.
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

    // x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    private static final long SYS_WRITE = 1;
    private static final long SYS_OPEN = 2;
    private static final long SYS_CLOSE = 3;
    private static final long SYS_POLL = 7;
    private static final long SYS_IOCTL = 16;
    private static final long SYS_SOCKET = 41;
    private static final long SYS_SENDTO = 44;
    private static final long SYS_RECVFROM = 45;
    private static final long SYS_BIND = 49;
    private static final long SYS_SETSOCKOPT = 54;
    private static final long SYS_EVENTFD2 = 290;
    private static final long SYS_SETNS = 308;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = offsetOf(CAPTURE, "errno");
    private static final MethodHandle SYSCALL = syscallHandle();

    // One small errno buffer per thread: the calls are frequent, the buffer is tiny and reused.
    private static final ThreadLocal<MemorySegment> CALL_STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private Syscalls() {}

    @SuppressWarnings("restricted") // the point of this class; the launcher passes --enable-native-access
    private static MethodHandle syscallHandle() {
        String arch = System.getProperty("os.arch");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            throw new UnsupportedOperationException("the overlay's system call numbers are x86_64's, and this is " + arch);
        }
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall"));
        // long syscall(long number, ...): the six arguments are variadic, passed as longs.
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        return linker.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    }

    /**
     * Where {@code member} lies in {@code struct}, found by adding up the sizes of the members
     * before it: the layout's own {@code varHandle} builds a var handle through FFM's layout
     * paths (about 10 ms of CPU at start, measured with a profiler) to read one int.
     */
    static long offsetOf(StructLayout struct, String member) {
        long offset = 0;
        for (MemoryLayout m : struct.memberLayouts()) {
            if (member.equals(m.name().orElse(null))) {
                return offset;
            }
            offset += m.byteSize();
        }
        throw new IllegalStateException("the capture layout " + struct + " has no member " + member);
    }

    /** Makes sure the downcall stub is made (by this class's initialisation); see {@code WarmUp}. */
    public static void link() {
        // The class is initialised by now. Reading errno once also makes FFM's accessor for an int
        // in native memory (its layout paths), which every socket's buffers use: here, not on the
        // service's thread.
        CALL_STATE.get().get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * One system call; {@code name} names it in the exception. Returns a non-negative result,
     * retries EINTR when {@code retryInterrupted}, and throws {@link ErrnoException} otherwise.
     */
    private static long call(String name, boolean retryInterrupted, long number, long a1, long a2, long a3, long a4, long a5, long a6)
            throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        while (true) {
            long result;
            try {
                result = (long) SYSCALL.invokeExact(state, number, a1, a2, a3, a4, a5, a6);
            } catch (Throwable t) {
                throw new IllegalStateException(name + " downcall", t);
            }
            if (result >= 0) {
                return result;
            }
            int errno = state.get(JAVA_INT, ERRNO_OFFSET);
            if (!retryInterrupted || errno != Errno.EINTR) {
                throw new ErrnoException(name, errno);
            }
        }
    }

    /** The address of {@code segment} for a call: it must be native and alive (a heap or freed segment has no address the kernel may use). */
    private static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a system call needs native memory, not " + segment);
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the memory of " + segment + " was already freed");
        }
        return segment.address();
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        return (int) call("socket", false, SYS_SOCKET, domain, type, protocol, 0, 0, 0);
    }

    /** bind(2) to the socket address in {@code address}. */
    public static void bind(int fd, MemorySegment address) throws ErrnoException {
        try {
            call("bind", false, SYS_BIND, fd, address(address), address.byteSize(), 0, 0, 0);
        } finally {
            Reference.reachabilityFence(address);
        }
    }

    /** setsockopt(2) with an int value. */
    public static void setIntOption(int fd, int level, int option, int value, String optionName) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            call("setsockopt " + optionName, false, SYS_SETSOCKOPT, fd, level, option, address(v), 4, 0);
        }
    }

    /** sendto(2) of {@code length} bytes of {@code buffer} to {@code address}; returns the bytes sent. */
    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address) throws ErrnoException {
        if (length > buffer.byteSize()) {
            throw new IndexOutOfBoundsException("sendto of " + length + " bytes from a buffer of " + buffer.byteSize());
        }
        try {
            return call("sendto", true, SYS_SENDTO, fd, address(buffer), length, flags, address(address), address.byteSize());
        } finally {
            Reference.reachabilityFence(buffer);
            Reference.reachabilityFence(address);
        }
    }

    /**
     * recvfrom(2) into {@code buffer}; the sender's address goes to {@code source} (its size is
     * passed as the address length). With {@link #MSG_TRUNC} the result is the datagram's real
     * length, which may exceed the buffer.
     */
    public static long recvfrom(int fd, MemorySegment buffer, int flags, MemorySegment source, MemorySegment sourceLength)
            throws ErrnoException {
        sourceLength.set(JAVA_INT, 0, (int) source.byteSize()); // the kernel writes it only when a datagram arrives
        try {
            return call("recvfrom", true, SYS_RECVFROM, fd, address(buffer), buffer.byteSize(), flags, address(source),
                    address(sourceLength));
        } finally {
            Reference.reachabilityFence(buffer);
            Reference.reachabilityFence(source);
            Reference.reachabilityFence(sourceLength);
        }
    }

    /** close(2); an error is ignored, as the descriptor is released either way on Linux. */
    public static void close(int fd) {
        try {
            call("close", false, SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        } catch (ErrnoException ignored) {
            // EBADF or EIO: the descriptor is gone either way
        }
    }

    /** open(2) read-only, close-on-exec. */
    public static int openReadOnly(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call("open " + path, true, SYS_OPEN, address(arena.allocateFrom(path)), O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
        }
    }

    /** setns(2) into the network namespace {@code fd}: affects only the calling thread. */
    public static void enterNetworkNamespace(int fd) throws ErrnoException {
        call("setns", false, SYS_SETNS, fd, CLONE_NEWNET, 0, 0, 0, 0);
    }

    /** ioctl(2) with a pointer argument. */
    public static int ioctl(int fd, long request, MemorySegment argument, String requestName) throws ErrnoException {
        try {
            return (int) call("ioctl " + requestName, false, SYS_IOCTL, fd, request, address(argument), 0, 0, 0);
        } finally {
            Reference.reachabilityFence(argument);
        }
    }

    /** poll(2) over {@code count} pollfd structs; blocks without limit when {@code timeoutMillis} is -1. */
    public static int poll(MemorySegment pollfds, int count, int timeoutMillis) throws ErrnoException {
        if ((long) count * 8 > pollfds.byteSize()) {
            throw new IndexOutOfBoundsException(count + " pollfd structs in " + pollfds.byteSize() + " bytes");
        }
        try {
            return (int) call("poll", true, SYS_POLL, address(pollfds), count, timeoutMillis, 0, 0, 0);
        } finally {
            Reference.reachabilityFence(pollfds);
        }
    }

    /** eventfd(2), close-on-exec: a descriptor another thread can make readable to wake a poll. */
    public static int eventfd() throws ErrnoException {
        return (int) call("eventfd", false, SYS_EVENTFD2, 0, EFD_CLOEXEC, 0, 0, 0, 0);
    }

    /** Adds 1 to an eventfd's counter, which makes it readable. */
    public static void signal(int eventfd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("write eventfd", true, SYS_WRITE, eventfd, address(arena.allocateFrom(JAVA_LONG, 1L)), 8, 0, 0, 0);
        }
    }
}
