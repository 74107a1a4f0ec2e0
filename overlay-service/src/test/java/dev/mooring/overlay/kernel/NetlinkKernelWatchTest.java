package dev.mooring.overlay.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link NetlinkKernel#watch}: notifications for link, address and FDB changes made by someone else. */
@RequiresNetns
class NetlinkKernelWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String READER_THREAD = "mooring-rtnetlink-events";

    @Test
    void linkAddressAndFdbChangesArriveAsEventsUntilTheWatchIsClosed() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1); NetlinkKernel kernel = NetlinkKernel.openIn(lab.host(1).namespaceFile())) {
            String ns = lab.host(1).namespace();
            BlockingQueue<KernelEvent> events = new LinkedBlockingQueue<>();
            AutoCloseable watch = kernel.watch(events::add);

            lab.exec(ns, "ip", "link", "add", "mr-br", "type", "bridge").orThrow();
            int bridge = kernel.observe().link("mr-br").orElseThrow().index();
            await(events, e -> e.equals(new KernelEvent.LinkChanged(bridge, "mr-br", false)));

            lab.exec(ns, "ip", "address", "add", "100.64.192.10/23", "dev", "mr-br").orThrow();
            await(events, e -> e.equals(new KernelEvent.AddressChanged(bridge, Ipv4Address.parse("100.64.192.10"), 23, false)));

            lab.exec(ns, "ip", "link", "add", "mr-vx", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "eth0", "nolearning").orThrow();
            int vxlan = kernel.observe().link("mr-vx").orElseThrow().index();
            lab.exec(ns, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "mr-vx", "dst", "198.51.100.12", "self", "permanent").orThrow();
            await(events, e -> e.equals(new KernelEvent.NeighbourChanged(vxlan, false)));
            lab.exec(ns, "bridge", "fdb", "del", "00:00:00:00:00:00", "dev", "mr-vx", "dst", "198.51.100.12", "self").orThrow();
            await(events, e -> e.equals(new KernelEvent.NeighbourChanged(vxlan, true)));

            lab.exec(ns, "ip", "address", "del", "100.64.192.10/23", "dev", "mr-br").orThrow();
            await(events, e -> e.equals(new KernelEvent.AddressChanged(bridge, Ipv4Address.parse("100.64.192.10"), 23, true)));
            lab.exec(ns, "ip", "link", "del", "mr-br").orThrow();
            await(events, e -> e.equals(new KernelEvent.LinkChanged(bridge, "mr-br", true)));

            assertThat(readerThreadAlive()).isTrue();
            watch.close();
            assertThat(readerThreadAlive()).as("the reader thread stops when the watch is closed").isFalse();
        }
    }

    @Test
    void closingTheKernelStopsItsWatches() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            NetlinkKernel kernel = NetlinkKernel.openIn(lab.host(1).namespaceFile());
            kernel.watch(e -> { });
            kernel.watch(e -> { });
            assertThat(readerThreadAlive()).isTrue();
            kernel.close();
            assertThat(readerThreadAlive()).isFalse();
        }
    }

    private static boolean readerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(READER_THREAD) && t.isAlive());
    }

    private static void await(BlockingQueue<KernelEvent> events, Predicate<KernelEvent> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        StringBuilder seen = new StringBuilder();
        while (true) {
            KernelEvent event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no matching event within " + WAIT + "; saw: " + seen);
            }
            if (wanted.test(event)) {
                return;
            }
            seen.append(event).append(' ');
        }
    }
}
