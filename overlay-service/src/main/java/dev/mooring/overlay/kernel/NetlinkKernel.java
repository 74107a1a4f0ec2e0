package dev.mooring.overlay.kernel;

import static dev.mooring.overlay.netlink.Rtnetlink.*;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.netlink.Attributes;
import dev.mooring.overlay.netlink.Errno;
import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.netlink.MalformedMessageException;
import dev.mooring.overlay.netlink.MessageWriter;
import dev.mooring.overlay.netlink.NetlinkMessage;
import dev.mooring.overlay.netlink.NetlinkSocket;
import dev.mooring.overlay.netlink.NetlinkSubscription;
import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The {@link Kernel} over rtnetlink ({@code NETLINK_ROUTE}) through Java's FFM API: one request
 * socket reused for every dump and change, and one notification socket per {@link #watch}.
 * Needs CAP_NET_ADMIN to change anything; observing needs no privilege.
 *
 * <p>Link names are resolved to indexes by asking the kernel; the answers are remembered from the
 * last {@link #observe()} (the reconciler's diff is based on that observation anyway) and asked
 * again when the kernel says an index is gone. Link operations themselves go by name.
 */
public final class NetlinkKernel implements Kernel {

    static final String EPERM_HINT = "needs CAP_NET_ADMIN: run as root or through the mooring-overlay unit "
            + "(AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW)";

    private static final int REQUEST_RECEIVE_BUFFER = 1024 * 1024;
    // Room for a burst of notifications (a full FDB rewrite is ~1000 messages) while the listener works.
    private static final int EVENT_RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int MAX_NAME_BYTES = 15; // IFNAMSIZ - 1

    private final NetworkNamespace namespace;
    private final NetlinkSocket socket;
    private final MessageWriter writer = new MessageWriter(4096);
    private final Map<String, Integer> indexes = new HashMap<>();
    private final List<NetlinkSubscription> subscriptions = new ArrayList<>();
    private boolean closed;

    private NetlinkKernel(NetworkNamespace namespace, NetlinkSocket socket) {
        this.namespace = namespace;
        this.socket = socket;
    }

    /** Opens the kernel of the calling thread's network namespace (normally the host's). */
    public static NetlinkKernel open() throws KernelException {
        return open(NetworkNamespace.current());
    }

    /**
     * Opens the kernel of another network namespace, e.g. {@code /run/netns/mr-1a2b3c-h1}: the
     * sockets are created inside it on a short-lived thread, so the calling thread stays where it
     * is. Used by tests and benchmarks; needs CAP_SYS_ADMIN.
     */
    public static NetlinkKernel openIn(Path namespaceFile) throws KernelException {
        try {
            return NetworkNamespace.openFor(namespaceFile, NetlinkKernel::open);
        } catch (ErrnoException e) {
            throw new KernelException("open network namespace " + namespaceFile + " failed: " + Errno.describe(e.errno())
                    + (e.errno() == Errno.ENOENT ? "; no such namespace (ip netns list)" : ""), e.errno(), e);
        }
    }

    private static NetlinkKernel open(NetworkNamespace namespace) throws KernelException {
        try {
            return new NetlinkKernel(namespace, NetlinkSocket.open(namespace, 0, REQUEST_RECEIVE_BUFFER));
        } catch (ErrnoException e) {
            throw failure("open an rtnetlink socket in the " + namespace, e, Optional.empty());
        } catch (IOException e) {
            throw new KernelException("open an rtnetlink socket in the " + namespace + " failed: " + e.getMessage(), 0, e);
        }
    }

    // ---- observe ------------------------------------------------------------------------------

    @Override
    public synchronized KernelState observe() throws KernelException {
        requireOpen();
        try {
            List<Link> links = dump(RTM_GETLINK, w -> new LinkHeader(AF_UNSPEC, 0, 0, 0, 0).writeTo(w), "dump links", NetlinkKernel::link);
            indexes.clear();
            links.forEach(l -> indexes.put(l.name(), l.index()));
            Set<Integer> vxlans = links.stream().filter(l -> l.vxlan().isPresent()).map(Link::index).collect(Collectors.toSet());
            List<LinkAddress> addresses = dump(RTM_GETADDR, w -> new AddressHeader(AF_INET, 0, 0, 0, 0).writeTo(w),
                    "dump IPv4 addresses", NetlinkKernel::address);
            List<Route> routes = dump(RTM_GETROUTE, w -> new RouteHeader(AF_INET, 0, 0, 0, 0, 0, 0, 0, 0).writeTo(w),
                    "dump IPv4 routes", NetlinkKernel::route);
            List<FdbEntry> fdb = dump(RTM_GETNEIGH, w -> new NeighbourHeader(AF_BRIDGE, 0, 0, 0, 0).writeTo(w),
                    "dump bridge FDB", m -> fdbEntry(m, vxlans));
            List<Neighbour> neighbours = dump(RTM_GETNEIGH, w -> new NeighbourHeader(AF_INET, 0, 0, 0, 0).writeTo(w),
                    "dump IPv4 neighbours", NetlinkKernel::neighbour);
            return new KernelState(links, addresses, routes, fdb, neighbours);
        } catch (ErrnoException e) {
            throw failure(e.call(), e, Optional.empty());
        } catch (MalformedMessageException e) {
            throw new KernelException("the kernel sent a malformed rtnetlink reply: " + e.getMessage(), 0, e);
        }
    }

    private <T> List<T> dump(int type, Consumer<MessageWriter> header, String operation, NetlinkSocket.Parser<T> parser)
            throws ErrnoException {
        writer.begin(type, 0);
        header.accept(writer);
        return socket.dump(writer, operation, parser);
    }

    static Link link(NetlinkMessage message) {
        if (message.type() != RTM_NEWLINK) {
            return null;
        }
        LinkHeader header = LinkHeader.parse(message.payload());
        Attributes attributes = Attributes.after(message.payload(), LinkHeader.SIZE);
        Optional<Attributes> info = attributes.nested(IFLA_LINKINFO);
        String kind = info.flatMap(i -> i.string(IFLA_INFO_KIND)).orElse("");
        Optional<Link.VxlanInfo> vxlan = Optional.empty();
        if (kind.equals("vxlan")) {
            Attributes data = info.flatMap(i -> i.nested(IFLA_INFO_DATA)).orElseThrow(
                    () -> new MalformedMessageException("vxlan link " + header.index() + " has no IFLA_INFO_DATA"));
            vxlan = Optional.of(new Link.VxlanInfo(data.u32(IFLA_VXLAN_ID).orElse(0), data.be16(IFLA_VXLAN_PORT).orElse(0),
                    data.u32(IFLA_VXLAN_LINK).orElse(0), data.u8(IFLA_VXLAN_LEARNING).orElse(0) != 0));
        }
        return new Link(header.index(), attributes.string(IFLA_IFNAME).orElse(""), kind, mac(attributes, IFLA_ADDRESS),
                attributes.u32(IFLA_MTU).orElse(0), (header.flags() & IFF_UP) != 0, attributes.u32(IFLA_MASTER).orElse(0), vxlan);
    }

    private static MacAddress mac(Attributes attributes, int type) {
        // Only Ethernet-like links have a 6-byte address; tunnels without one read as all-zero.
        return attributes.bytes(type).filter(b -> b.length == 6).map(MacAddress::of).orElse(MacAddress.ZERO);
    }

    private static Optional<Ipv4Address> ipv4(Attributes attributes, int type) {
        return attributes.bytes(type).filter(b -> b.length == 4).map(Ipv4Address::of);
    }

    static LinkAddress address(NetlinkMessage message) {
        if (message.type() != RTM_NEWADDR) {
            return null;
        }
        AddressHeader header = AddressHeader.parse(message.payload());
        if (header.family() != AF_INET || header.prefixLength() > 32) {
            return null;
        }
        Attributes attributes = Attributes.after(message.payload(), AddressHeader.SIZE);
        return ipv4(attributes, IFA_LOCAL).or(() -> ipv4(attributes, IFA_ADDRESS))
                .map(a -> new LinkAddress(header.index(), a, header.prefixLength())).orElse(null);
    }

    static Route route(NetlinkMessage message) {
        if (message.type() != RTM_NEWROUTE) {
            return null;
        }
        RouteHeader header = RouteHeader.parse(message.payload());
        Attributes attributes = Attributes.after(message.payload(), RouteHeader.SIZE);
        int table = attributes.u32(RTA_TABLE).orElse(header.table());
        if (header.family() != AF_INET || table != RT_TABLE_MAIN || header.type() != RTN_UNICAST || header.destinationLength() > 32) {
            return null;
        }
        int prefix = header.destinationLength();
        Ipv4Address destination = ipv4(attributes, RTA_DST).orElse(new Ipv4Address(0));
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new Route(attributes.u32(RTA_OIF).orElse(0), new Cidr(new Ipv4Address(destination.bits() & mask), prefix),
                ipv4(attributes, RTA_GATEWAY));
    }

    static FdbEntry fdbEntry(NetlinkMessage message, Set<Integer> vxlans) {
        if (message.type() != RTM_NEWNEIGH) {
            return null;
        }
        NeighbourHeader header = NeighbourHeader.parse(message.payload());
        if (header.family() != AF_BRIDGE || !vxlans.contains(header.index())) {
            return null;
        }
        Attributes attributes = Attributes.after(message.payload(), NeighbourHeader.SIZE);
        Optional<Ipv4Address> destination = ipv4(attributes, NDA_DST);
        Optional<byte[]> lladdr = attributes.bytes(NDA_LLADDR).filter(b -> b.length == 6);
        if (destination.isEmpty() || lladdr.isEmpty()) {
            return null;
        }
        return new FdbEntry(header.index(), MacAddress.of(lladdr.get()), destination.get());
    }

    static Neighbour neighbour(NetlinkMessage message) {
        if (message.type() != RTM_NEWNEIGH) {
            return null;
        }
        NeighbourHeader header = NeighbourHeader.parse(message.payload());
        if (header.family() != AF_INET || (header.state() & NUD_PERMANENT) == 0) {
            return null;
        }
        Attributes attributes = Attributes.after(message.payload(), NeighbourHeader.SIZE);
        Optional<Ipv4Address> address = ipv4(attributes, NDA_DST);
        Optional<byte[]> lladdr = attributes.bytes(NDA_LLADDR).filter(b -> b.length == 6);
        if (address.isEmpty() || lladdr.isEmpty()) {
            return null;
        }
        return new Neighbour(header.index(), address.get(), MacAddress.of(lladdr.get()));
    }

    // ---- apply --------------------------------------------------------------------------------

    @Override
    public synchronized void apply(KernelChange change) throws KernelException {
        requireOpen();
        String action = describe(change);
        try {
            switch (change) {
                case KernelChange.AddBridge c -> {
                    checkName(c.name(), action);
                    indexes.remove(c.name());
                    newLink(NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, c.name(), 0, 0);
                    writer.attribute(IFLA_ADDRESS, c.mac().toBytes()).attributeU32(IFLA_MTU, c.mtu());
                    int info = writer.beginNested(IFLA_LINKINFO);
                    writer.attributeString(IFLA_INFO_KIND, "bridge");
                    writer.endNested(info);
                    send(action);
                }
                case KernelChange.AddVxlan c -> {
                    checkName(c.name(), action);
                    indexes.remove(c.name());
                    withIndex(c.underlay(), "underlay device", action, underlay -> {
                        newLink(NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, c.name(), 0, 0);
                        writer.attributeU32(IFLA_MTU, c.mtu());
                        int info = writer.beginNested(IFLA_LINKINFO);
                        writer.attributeString(IFLA_INFO_KIND, "vxlan");
                        int data = writer.beginNested(IFLA_INFO_DATA);
                        writer.attributeU32(IFLA_VXLAN_ID, c.vni())
                                .attributeU32(IFLA_VXLAN_LINK, underlay)
                                .attributeBe16(IFLA_VXLAN_PORT, c.port())
                                .attributeU8(IFLA_VXLAN_LEARNING, 0);
                        writer.endNested(data);
                        writer.endNested(info);
                        send(action);
                    });
                }
                case KernelChange.DeleteLink c -> {
                    checkName(c.name(), action);
                    indexes.remove(c.name());
                    writer.begin(RTM_DELLINK, 0);
                    new LinkHeader(AF_UNSPEC, 0, 0, 0, 0).writeTo(writer);
                    writer.attributeString(IFLA_IFNAME, c.name());
                    send(action);
                }
                case KernelChange.SetMtu c -> {
                    checkName(c.link(), action);
                    newLink(0, c.link(), 0, 0);
                    writer.attributeU32(IFLA_MTU, c.mtu());
                    send(action);
                }
                case KernelChange.SetMaster c -> {
                    checkName(c.link(), action);
                    withIndex(c.master(), "bridge", action, master -> {
                        newLink(0, c.link(), 0, 0);
                        writer.attributeU32(IFLA_MASTER, master);
                        send(action);
                    });
                }
                case KernelChange.SetUp c -> {
                    checkName(c.link(), action);
                    newLink(0, c.link(), IFF_UP, IFF_UP);
                    send(action);
                }
                case KernelChange.AddAddress c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_NEWADDR, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL);
                    new AddressHeader(AF_INET, c.prefixLength(), 0, 0, index).writeTo(writer);
                    writer.attribute(IFA_LOCAL, c.address().toBytes()).attribute(IFA_ADDRESS, c.address().toBytes());
                    if (c.prefixLength() <= 30) {
                        // Like `ip addr add ... brd +`: the subnet's broadcast address.
                        int hostMask = c.prefixLength() == 0 ? -1 : ~(-1 << (32 - c.prefixLength()));
                        writer.attribute(IFA_BROADCAST, new Ipv4Address(c.address().bits() | hostMask).toBytes());
                    }
                    send(action);
                });
                case KernelChange.DeleteAddress c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_DELADDR, 0);
                    new AddressHeader(AF_INET, c.prefixLength(), 0, 0, index).writeTo(writer);
                    writer.attribute(IFA_LOCAL, c.address().toBytes()).attribute(IFA_ADDRESS, c.address().toBytes());
                    send(action);
                });
                case KernelChange.AppendFdb c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_NEWNEIGH, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_APPEND);
                    new NeighbourHeader(AF_BRIDGE, index, NUD_PERMANENT, NTF_SELF, 0).writeTo(writer);
                    writer.attribute(NDA_LLADDR, c.mac().toBytes()).attribute(NDA_DST, c.destination().toBytes());
                    send(action);
                });
                case KernelChange.DeleteFdb c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_DELNEIGH, 0);
                    new NeighbourHeader(AF_BRIDGE, index, 0, NTF_SELF, 0).writeTo(writer);
                    writer.attribute(NDA_LLADDR, c.mac().toBytes()).attribute(NDA_DST, c.destination().toBytes());
                    send(action);
                });
                case KernelChange.ReplaceNeighbour c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_NEWNEIGH, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_REPLACE);
                    new NeighbourHeader(AF_INET, index, NUD_PERMANENT, 0, 0).writeTo(writer);
                    writer.attribute(NDA_DST, c.address().toBytes()).attribute(NDA_LLADDR, c.mac().toBytes());
                    send(action);
                });
                case KernelChange.DeleteNeighbour c -> withIndex(c.link(), "link", action, index -> {
                    writer.begin(RTM_DELNEIGH, 0);
                    new NeighbourHeader(AF_INET, index, 0, 0, 0).writeTo(writer);
                    writer.attribute(NDA_DST, c.address().toBytes());
                    send(action);
                });
            }
        } catch (ErrnoException e) {
            throw failure(action, e, subject(change));
        } catch (MalformedMessageException e) {
            throw new KernelException(action + " failed: the kernel sent a malformed reply: " + e.getMessage(), 0, e);
        }
    }

    /** Starts an RTM_NEWLINK that names its link (index 0: the kernel looks the name up). */
    private void newLink(int flags, String name, int ifFlags, int ifChange) {
        writer.begin(RTM_NEWLINK, flags);
        new LinkHeader(AF_UNSPEC, 0, 0, ifFlags, ifChange).writeTo(writer);
        writer.attributeString(IFLA_IFNAME, name);
    }

    private void send(String action) throws ErrnoException {
        socket.exchange(writer, action, m -> null);
    }

    @FunctionalInterface
    private interface IndexedOperation {
        void run(int index) throws ErrnoException;
    }

    /** Runs {@code operation} with {@code name}'s index, asking the kernel again once if a remembered index has gone. */
    private void withIndex(String name, String role, String action, IndexedOperation operation) throws ErrnoException, KernelException {
        checkName(name, action);
        boolean remembered = indexes.containsKey(name);
        try {
            operation.run(index(name, role, action));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENODEV || !remembered) {
                throw e;
            }
            indexes.remove(name);
            operation.run(index(name, role, action));
        }
    }

    private int index(String name, String role, String action) throws ErrnoException, KernelException {
        Integer known = indexes.get(name);
        if (known != null) {
            return known;
        }
        writer.begin(RTM_GETLINK, 0);
        new LinkHeader(AF_UNSPEC, 0, 0, 0, 0).writeTo(writer);
        writer.attributeString(IFLA_IFNAME, name);
        List<Integer> found;
        try {
            found = socket.exchange(writer, "look up " + role + " '" + name + "'",
                    m -> m.type() == RTM_NEWLINK ? LinkHeader.parse(m.payload()).index() : null);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENODEV) {
                throw new KernelException(action + " failed: " + Errno.describe(Errno.ENODEV) + ": " + role + " '" + name
                        + "' does not exist in the " + namespace + "; check the name (ip link show)", Errno.ENODEV, e);
            }
            throw e;
        }
        if (found.isEmpty()) {
            throw new KernelException(action + " failed: the kernel answered the lookup of '" + name + "' without a link", 0);
        }
        indexes.put(name, found.getFirst());
        return found.getFirst();
    }

    private static void checkName(String name, String action) throws KernelException {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > MAX_NAME_BYTES || name.contains("/") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new KernelException(action + " failed: " + Errno.describe(Errno.EINVAL) + ": '" + name
                    + "' is not a valid interface name (1-15 bytes, no '/' or spaces)", Errno.EINVAL);
        }
    }

    private static String describe(KernelChange change) {
        return switch (change) {
            case KernelChange.AddBridge c -> "create bridge '" + c.name() + "' (mac " + c.mac() + ", mtu " + c.mtu() + ")";
            case KernelChange.AddVxlan c -> "create vxlan link '" + c.name() + "' (vni " + c.vni() + ", port " + c.port()
                    + ", underlay '" + c.underlay() + "', mtu " + c.mtu() + ")";
            case KernelChange.DeleteLink c -> "delete link '" + c.name() + "'";
            case KernelChange.SetMtu c -> "set mtu of '" + c.link() + "' to " + c.mtu();
            case KernelChange.SetMaster c -> "attach '" + c.link() + "' to bridge '" + c.master() + "'";
            case KernelChange.SetUp c -> "set '" + c.link() + "' up";
            case KernelChange.AddAddress c -> "add address " + c.address() + "/" + c.prefixLength() + " to '" + c.link() + "'";
            case KernelChange.DeleteAddress c -> "delete address " + c.address() + "/" + c.prefixLength() + " from '" + c.link() + "'";
            case KernelChange.AppendFdb c -> "append fdb entry " + c.mac() + " dst " + c.destination() + " on '" + c.link() + "'";
            case KernelChange.DeleteFdb c -> "delete fdb entry " + c.mac() + " dst " + c.destination() + " on '" + c.link() + "'";
            case KernelChange.ReplaceNeighbour c -> "set neighbour " + c.address() + " lladdr " + c.mac() + " on '" + c.link() + "'";
            case KernelChange.DeleteNeighbour c -> "delete neighbour " + c.address() + " on '" + c.link() + "'";
        };
    }

    /** What an errno is about for this change, for the hint. */
    private static Optional<String> subject(KernelChange change) {
        return Optional.of(switch (change) {
            case KernelChange.AddBridge c -> "a link named '" + c.name() + "'";
            case KernelChange.AddVxlan c -> "a link named '" + c.name() + "'";
            case KernelChange.AddAddress c -> "address " + c.address() + "/" + c.prefixLength() + " on '" + c.link() + "'";
            case KernelChange.DeleteAddress c -> "address " + c.address() + "/" + c.prefixLength() + " on '" + c.link() + "'";
            case KernelChange.AppendFdb c -> "that fdb entry";
            case KernelChange.DeleteFdb c -> "that fdb entry";
            case KernelChange.ReplaceNeighbour c -> "that neighbour entry";
            case KernelChange.DeleteNeighbour c -> "that neighbour entry";
            default -> "it";
        });
    }

    static KernelException failure(String action, ErrnoException e, Optional<String> subject) {
        StringBuilder message = new StringBuilder(action).append(" failed: ").append(Errno.describe(e.errno()));
        e.kernelMessage().ifPresent(text -> message.append("; the kernel says \"").append(text).append('"'));
        hint(e.errno(), subject.orElse("it")).ifPresent(h -> message.append("; ").append(h));
        return new KernelException(message.toString(), e.errno(), e);
    }

    private static Optional<String> hint(int errno, String subject) {
        return Optional.ofNullable(switch (errno) {
            case Errno.EPERM, Errno.EACCES -> EPERM_HINT;
            case Errno.EEXIST -> subject + " already exists";
            case Errno.ENODEV -> "no such device: check the name (ip link show)";
            case Errno.ENOENT, Errno.ESRCH, Errno.EADDRNOTAVAIL -> subject + " does not exist";
            case Errno.EOPNOTSUPP, Errno.EAFNOSUPPORT, Errno.EPROTONOSUPPORT ->
                    "the kernel does not support this (are the bridge and vxlan drivers available?)";
            case Errno.EBUSY -> "the device is in use (a port of another bridge, or busy)";
            case Errno.EINVAL, Errno.ERANGE -> "a value is out of the range the kernel accepts (VNI below 2^24, MTU within the device's limits)";
            case Errno.ENOBUFS, Errno.ENOMEM -> "the kernel ran out of buffer space; retry";
            case Errno.ENETDOWN -> "the link is down";
            case Errno.EMSGSIZE -> "the request was too large for the kernel";
            default -> null;
        });
    }

    // ---- watch --------------------------------------------------------------------------------

    @Override
    public synchronized AutoCloseable watch(Consumer<KernelEvent> listener) throws KernelException {
        requireOpen();
        NetlinkSubscription subscription;
        try {
            subscription = NetlinkSubscription.start(namespace, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_NEIGH, EVENT_RECEIVE_BUFFER,
                    "mooring-rtnetlink-events",
                    new NetlinkSubscription.Listener() {
                        @Override
                        public void onMessage(NetlinkMessage message) {
                            KernelEvent event = event(message);
                            if (event != null) {
                                listener.accept(event);
                            }
                        }

                        @Override
                        public void onOverrun() {
                            listener.accept(new KernelEvent.Overrun());
                        }
                    });
        } catch (ErrnoException e) {
            throw failure("subscribe to rtnetlink link, address and neighbour events", e, Optional.empty());
        } catch (IOException e) {
            throw new KernelException("subscribe to rtnetlink events failed: " + e.getMessage(), 0, e);
        }
        subscriptions.add(subscription);
        return () -> {
            subscription.close();
            synchronized (NetlinkKernel.this) {
                subscriptions.remove(subscription);
            }
        };
    }

    static KernelEvent event(NetlinkMessage message) {
        return switch (message.type()) {
            case RTM_NEWLINK, RTM_DELLINK -> {
                LinkHeader header = LinkHeader.parse(message.payload());
                String name = Attributes.after(message.payload(), LinkHeader.SIZE).string(IFLA_IFNAME).orElse("");
                yield new KernelEvent.LinkChanged(header.index(), name, message.type() == RTM_DELLINK);
            }
            case RTM_NEWADDR, RTM_DELADDR -> {
                AddressHeader header = AddressHeader.parse(message.payload());
                if (header.family() != AF_INET) {
                    yield null;
                }
                Attributes attributes = Attributes.after(message.payload(), AddressHeader.SIZE);
                yield ipv4(attributes, IFA_LOCAL).or(() -> ipv4(attributes, IFA_ADDRESS))
                        .map(a -> new KernelEvent.AddressChanged(header.index(), a, header.prefixLength(), message.type() == RTM_DELADDR))
                        .orElse(null);
            }
            case RTM_NEWNEIGH, RTM_DELNEIGH -> {
                // Only what observe() keeps: FDB entries with a destination (VXLAN) and permanent
                // IPv4 neighbours. ARP cache churn and MAC learning on other bridges wake nobody.
                NeighbourHeader header = NeighbourHeader.parse(message.payload());
                boolean removed = message.type() == RTM_DELNEIGH;
                boolean relevant = switch (header.family()) {
                    case AF_BRIDGE -> ipv4(Attributes.after(message.payload(), NeighbourHeader.SIZE), NDA_DST).isPresent();
                    case AF_INET -> removed || (header.state() & NUD_PERMANENT) != 0;
                    default -> false;
                };
                yield relevant ? new KernelEvent.NeighbourChanged(header.index(), removed) : null;
            }
            default -> null;
        };
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this NetlinkKernel is closed");
        }
    }

    /** Stops every watch, closes the sockets and releases the namespace. */
    @Override
    public void close() {
        List<NetlinkSubscription> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(subscriptions);
            subscriptions.clear();
        }
        open.forEach(NetlinkSubscription::close);
        socket.close();
        namespace.close();
    }
}
