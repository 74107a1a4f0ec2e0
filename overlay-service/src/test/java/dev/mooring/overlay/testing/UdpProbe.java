package dev.mooring.overlay.testing;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Reachability seen from inside lab namespaces, with UDP and without extra processes: an echo
 * responder per namespace answers every datagram with its own name, and probes send a datagram to
 * each of their targets every {@code interval} and record every answer (when it was sent, when it
 * came back, who answered). The sockets are created inside the namespaces ({@link NetworkNamespace})
 * and served by this JVM's threads; times are {@link System#nanoTime()}.
 *
 * <p>Used for the drills' recovery time (every pair answers again after a lease change) and the
 * VIP failover time (the VIP answers, and from which host).
 */
public final class UdpProbe implements AutoCloseable {

    /** The echo port; not used by Mooring (VXLAN 4789, discovery 4793, metrics 9647). */
    public static final int PORT = 4799;
    private static final int NAME_OFFSET = 12;

    /**
     * One answer.
     *
     * @param target    the target's label
     * @param responder the name of the responder that answered
     */
    public record Answer(String target, String responder, long sentNanos, long receivedNanos) {}

    private record Target(String label, InetSocketAddress address, DatagramChannel from, List<Answer> answers) {}

    private final Duration interval;
    private final List<DatagramChannel> channels = new CopyOnWriteArrayList<>();
    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    public UdpProbe(Duration interval) {
        this.interval = interval;
        Thread sender = Thread.ofPlatform().daemon().name("udp-probe-sender").start(this::send);
        threads.add(sender);
    }

    /** Answers on {@link #PORT} in the namespace at {@code namespaceFile}, with {@code name}. */
    public void respond(String name, Path namespaceFile) throws IOException {
        DatagramChannel channel = openIn(namespaceFile);
        channel.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), PORT));
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        threads.add(Thread.ofPlatform().daemon().name("udp-echo-" + name).start(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            while (!closed) {
                try {
                    buffer.clear();
                    var source = channel.receive(buffer);
                    buffer.flip();
                    if (buffer.remaining() < NAME_OFFSET) {
                        continue;
                    }
                    ByteBuffer reply = ByteBuffer.allocate(NAME_OFFSET + nameBytes.length);
                    reply.put(buffer.limit(NAME_OFFSET)).put(nameBytes).flip();
                    channel.send(reply, source);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // A send to a peer that just lost its address: the next probe tries again.
                }
            }
        }));
    }

    /**
     * Probes {@code address} from the namespace at {@code namespaceFile}; answers are recorded under
     * {@code label}.
     */
    public void probe(String label, Path namespaceFile, Ipv4Address address) throws IOException {
        DatagramChannel channel = openIn(namespaceFile);
        channel.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0));
        Target target = new Target(label, new InetSocketAddress(InetAddress.getByAddress(address.toBytes()), PORT),
                channel, new CopyOnWriteArrayList<>());
        int index = targets.size();
        targets.add(target);
        threads.add(Thread.ofPlatform().daemon().name("udp-probe-" + label).start(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            while (!closed) {
                try {
                    buffer.clear();
                    channel.receive(buffer);
                    long received = System.nanoTime();
                    buffer.flip();
                    if (buffer.remaining() < NAME_OFFSET || buffer.getInt() != index) {
                        continue;
                    }
                    long sent = buffer.getLong();
                    target.answers().add(new Answer(label, StandardCharsets.UTF_8.decode(buffer).toString(), sent, received));
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // Nothing to record; the next answer will be.
                }
            }
        }));
    }

    /** Forgets every recorded answer (between drills). */
    public void forget() {
        targets.forEach(t -> t.answers().clear());
    }

    /**
     * The moment by which every target had answered a probe sent at or after {@code sinceNanos}:
     * the latest, over the targets, of each one's first such answer. Waits up to {@code timeout}
     * for it; empty when some target never answered.
     */
    public OptionalLong allAnsweredSince(long sinceNanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long latest = Long.MIN_VALUE;
            boolean all = true;
            for (Target t : targets) {
                OptionalLong first = t.answers().stream().filter(a -> a.sentNanos() >= sinceNanos)
                        .mapToLong(Answer::receivedNanos).min();
                if (first.isEmpty()) {
                    all = false;
                    break;
                }
                latest = Math.max(latest, first.getAsLong());
            }
            if (all) {
                return OptionalLong.of(latest);
            }
            if (System.nanoTime() - deadline > 0) {
                return OptionalLong.empty();
            }
            Thread.sleep(5);
        }
    }

    /**
     * The first answer for {@code label} received after {@code afterNanos} from a responder that
     * {@code responder} accepts; waits up to {@code timeout}.
     */
    public Optional<Answer> firstAnswer(String label, long afterNanos, Predicate<String> responder, Duration timeout)
            throws InterruptedException {
        Target target = targets.stream().filter(t -> t.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no probe labelled " + label));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Answer> found = target.answers().stream()
                    .filter(a -> a.receivedNanos() > afterNanos && responder.test(a.responder()))
                    .min((a, b) -> Long.compare(a.receivedNanos(), b.receivedNanos()));
            if (found.isPresent() || System.nanoTime() - deadline > 0) {
                return found;
            }
            Thread.sleep(5);
        }
    }

    /** Labels of the targets without an answer to a probe sent at or after {@code sinceNanos}, for failure messages. */
    public List<String> silentSince(long sinceNanos) {
        return targets.stream().filter(t -> t.answers().stream().noneMatch(a -> a.sentNanos() >= sinceNanos))
                .map(Target::label).toList();
    }

    private void send() {
        ByteBuffer payload = ByteBuffer.allocate(NAME_OFFSET);
        while (!closed) {
            long next = System.nanoTime() + interval.toNanos();
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                payload.clear();
                payload.putInt(i).putLong(System.nanoTime()).flip();
                try {
                    t.from().send(payload, t.address());
                } catch (IOException e) {
                    // No route or address right now (a lease is changing): that probe is lost, as a ping would be.
                }
            }
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    private DatagramChannel openIn(Path namespaceFile) throws IOException {
        DatagramChannel channel;
        try (NetworkNamespace ns = NetworkNamespace.open(namespaceFile)) {
            channel = ns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET));
        }
        channels.add(channel);
        return channel;
    }

    /** Closes every socket and stops every thread. */
    @Override
    public void close() {
        closed = true;
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // Closing a datagram socket does not fail in a way worth reporting.
            }
        }
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
