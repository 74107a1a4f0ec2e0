package dev.mooring.overlay.netlink;

import java.util.Map;

/**
 * Linux errno values by name, with short texts like strerror(3)'s, so messages say
 * {@code EEXIST (File exists)} rather than {@code -17}. Only the values netlink and packet sockets
 * return in practice; others print as {@code errno 123}.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int EOPNOTSUPP = 95;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int EHOSTUNREACH = 113;
    public static final int EMSGSIZE = 90;
    public static final int ENOTSOCK = 88;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int ENODATA = 61;
    public static final int ENOLINK = 67;
    public static final int EOVERFLOW = 75;
    public static final int ENOTUNIQ = 76;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENAMETOOLONG = 36;

    private record Entry(String name, String text) {}

    private static final Map<Integer, Entry> TABLE = Map.ofEntries(
            Map.entry(EPERM, new Entry("EPERM", "Operation not permitted")),
            Map.entry(ENOENT, new Entry("ENOENT", "No such file or directory")),
            Map.entry(ESRCH, new Entry("ESRCH", "No such process")),
            Map.entry(EINTR, new Entry("EINTR", "Interrupted system call")),
            Map.entry(EIO, new Entry("EIO", "Input/output error")),
            Map.entry(ENXIO, new Entry("ENXIO", "No such device or address")),
            Map.entry(E2BIG, new Entry("E2BIG", "Argument list too long")),
            Map.entry(EBADF, new Entry("EBADF", "Bad file descriptor")),
            Map.entry(EAGAIN, new Entry("EAGAIN", "Resource temporarily unavailable")),
            Map.entry(ENOMEM, new Entry("ENOMEM", "Cannot allocate memory")),
            Map.entry(EACCES, new Entry("EACCES", "Permission denied")),
            Map.entry(EFAULT, new Entry("EFAULT", "Bad address")),
            Map.entry(EBUSY, new Entry("EBUSY", "Device or resource busy")),
            Map.entry(EEXIST, new Entry("EEXIST", "File exists")),
            Map.entry(ENODEV, new Entry("ENODEV", "No such device")),
            Map.entry(ENOTDIR, new Entry("ENOTDIR", "Not a directory")),
            Map.entry(EINVAL, new Entry("EINVAL", "Invalid argument")),
            Map.entry(ENFILE, new Entry("ENFILE", "Too many open files in system")),
            Map.entry(EMFILE, new Entry("EMFILE", "Too many open files")),
            Map.entry(ENOSPC, new Entry("ENOSPC", "No space left on device")),
            Map.entry(ERANGE, new Entry("ERANGE", "Numerical result out of range")),
            Map.entry(ENAMETOOLONG, new Entry("ENAMETOOLONG", "File name too long")),
            Map.entry(ENOTEMPTY, new Entry("ENOTEMPTY", "Directory not empty")),
            Map.entry(ELOOP, new Entry("ELOOP", "Too many levels of symbolic links")),
            Map.entry(ENODATA, new Entry("ENODATA", "No data available")),
            Map.entry(ENOLINK, new Entry("ENOLINK", "Link has been severed")),
            Map.entry(EOVERFLOW, new Entry("EOVERFLOW", "Value too large for defined data type")),
            Map.entry(ENOTUNIQ, new Entry("ENOTUNIQ", "Name not unique on network")),
            Map.entry(ENOTSOCK, new Entry("ENOTSOCK", "Socket operation on non-socket")),
            Map.entry(EMSGSIZE, new Entry("EMSGSIZE", "Message too long")),
            Map.entry(EPROTOTYPE, new Entry("EPROTOTYPE", "Protocol wrong type for socket")),
            Map.entry(ENOPROTOOPT, new Entry("ENOPROTOOPT", "Protocol not available")),
            Map.entry(EPROTONOSUPPORT, new Entry("EPROTONOSUPPORT", "Protocol not supported")),
            Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "Operation not supported")),
            Map.entry(EAFNOSUPPORT, new Entry("EAFNOSUPPORT", "Address family not supported by protocol")),
            Map.entry(EADDRINUSE, new Entry("EADDRINUSE", "Address already in use")),
            Map.entry(EADDRNOTAVAIL, new Entry("EADDRNOTAVAIL", "Cannot assign requested address")),
            Map.entry(ENETDOWN, new Entry("ENETDOWN", "Network is down")),
            Map.entry(ENETUNREACH, new Entry("ENETUNREACH", "Network is unreachable")),
            Map.entry(ENOBUFS, new Entry("ENOBUFS", "No buffer space available")),
            Map.entry(ENOTCONN, new Entry("ENOTCONN", "Transport endpoint is not connected")),
            Map.entry(ETIMEDOUT, new Entry("ETIMEDOUT", "Connection timed out")),
            Map.entry(EHOSTUNREACH, new Entry("EHOSTUNREACH", "No route to host")));

    private Errno() {}

    /** {@code EEXIST}, or {@code errno 123} for a value outside the table. */
    public static String name(int errno) {
        Entry entry = TABLE.get(errno);
        return entry == null ? "errno " + errno : entry.name();
    }

    /** {@code EEXIST (File exists)}. */
    public static String describe(int errno) {
        Entry entry = TABLE.get(errno);
        return entry == null ? "errno " + errno : entry.name() + " (" + entry.text() + ")";
    }
}
