package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.InMemoryKernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelEvent;
import dev.mooring.overlay.reconcile.Underlay;
import dev.mooring.overlay.reconcile.UnderlayWatcher;
import dev.mooring.overlay.reconcile.UnderlayWatcher.UnderlayChange;
import dev.mooring.overlay.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When the underlay counts as moved (pure), and the watcher over an in-memory kernel. */
class UnderlayWatcherTest {

    private static final Ipv4Address A = Ipv4Address.parse("198.51.100.11");
    private static final Ipv4Address B = Ipv4Address.parse("203.0.113.11");

    private static Optional<Underlay> eth(int index, String name, int mtu, Ipv4Address... addresses) {
        return Optional.of(new Underlay(name, index, mtu, List.of(addresses)));
    }

    @Test
    void aNewLeaseIsAChange() {
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(2, "eth0", 1500, B))).isPresent();
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(2, "eth0", 1500, A, B))).isPresent();
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(2, "eth0", 1500))).isPresent();
    }

    @Test
    void anotherNicIsAChangeEvenWithTheSameAddressOrName() {
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(3, "enp1s0", 1500, A))).isPresent();
        // The old NIC was removed and a new one took its name: a new index.
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(5, "eth0", 1500, A))).isPresent();
    }

    @Test
    void goneAndBackAreChanges() {
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), Optional.empty()))
                .contains(new UnderlayChange(eth(2, "eth0", 1500, A), Optional.empty()));
        assertThat(UnderlayWatcher.compare(Optional.empty(), eth(2, "eth0", 1500, A))).isPresent();
        assertThat(UnderlayWatcher.compare(Optional.empty(), Optional.empty())).isEmpty();
    }

    @Test
    void theSameAddressesInAnotherOrderOrAnotherMtuAreNoChange() {
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A, B), eth(2, "eth0", 1500, B, A))).isEmpty();
        assertThat(UnderlayWatcher.compare(eth(2, "eth0", 1500, A), eth(2, "eth0", 9000, A))).isEmpty();
    }

    @Test
    void onlyLinkAddressAndLostEventsAreLookedAt() {
        assertThat(UnderlayWatcher.isRelevant(new KernelEvent.AddressChanged(2, A, 24, false))).isTrue();
        assertThat(UnderlayWatcher.isRelevant(new KernelEvent.LinkChanged(2, "eth0", true))).isTrue();
        assertThat(UnderlayWatcher.isRelevant(new KernelEvent.Overrun())).isTrue();
        assertThat(UnderlayWatcher.isRelevant(new KernelEvent.LinkChanged(7, "mooring-vx", false))).isFalse();
        assertThat(UnderlayWatcher.isRelevant(new KernelEvent.NeighbourChanged(7, false))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 24, 30})
    void theBroadcastAddressIsTheSubnetsLast(int prefix) throws Exception {
        InMemoryKernel kernel = new InMemoryKernel();
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", A, prefix));
        var observed = kernel.observe();
        Optional<Ipv4Address> broadcast = UnderlayWatcher.broadcast(
                UnderlayWatcher.select(new UnderlaySelector.ByName("eth0"), observed), observed);
        long hostBits = (1L << (32 - prefix)) - 1;
        assertThat(broadcast).contains(new Ipv4Address((int) (Integer.toUnsignedLong(A.bits()) | hostBits)));
    }

    @Test
    void aSlash31OrNoAddressHasNoBroadcast() throws Exception {
        InMemoryKernel kernel = new InMemoryKernel();
        kernel.addInterface("eth0", 1500);
        var selector = new UnderlaySelector.ByName("eth0");
        assertThat(UnderlayWatcher.broadcast(UnderlayWatcher.select(selector, kernel.observe()), kernel.observe())).isEmpty();
        kernel.apply(new KernelChange.AddAddress("eth0", A, 31));
        assertThat(UnderlayWatcher.broadcast(UnderlayWatcher.select(selector, kernel.observe()), kernel.observe())).isEmpty();
    }

    @Test
    void theWatcherReportsANewAddressAndANicSwapUnderAnotherName() throws Exception {
        InMemoryKernel kernel = new InMemoryKernel();
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", A, 24));
        List<UnderlayChange> changes = new CopyOnWriteArrayList<>();
        try (UnderlayWatcher watcher = new UnderlayWatcher(kernel, UnderlaySelector.parse("e*"), kernel.observe(), changes::add,
                line -> { })) {
            watcher.start();
            assertThat(watcher.address()).contains(A);
            assertThat(watcher.broadcast()).contains(Ipv4Address.parse("198.51.100.255"));

            kernel.apply(new KernelChange.DeleteAddress("eth0", A, 24));
            kernel.apply(new KernelChange.AddAddress("eth0", B, 24));
            Eventually.within(Duration.ofSeconds(5), "the new address is reported: " + changes,
                    () -> watcher.address().equals(Optional.of(B)) && !changes.isEmpty());
            assertThat(changes.getLast().after().orElseThrow().addresses()).containsExactly(B);
            assertThat(watcher.broadcast()).contains(Ipv4Address.parse("203.0.113.255"));

            int before = changes.size();
            kernel.apply(new KernelChange.DeleteLink("eth0"));
            kernel.addInterface("enp1s0", 1500);
            kernel.apply(new KernelChange.AddAddress("enp1s0", B, 24));
            Eventually.within(Duration.ofSeconds(5), "the other NIC is reported: " + changes,
                    () -> watcher.current().map(Underlay::name).equals(Optional.of("enp1s0")) && watcher.address().isPresent());
            assertThat(changes.subList(before, changes.size())).last()
                    .satisfies(c -> assertThat(c.describe()).endsWith("-> enp1s0 203.0.113.11"));
        }
    }

    @Test
    void aDeviceOfOurOwnAppearingIsNoChange() throws Exception {
        InMemoryKernel kernel = new InMemoryKernel();
        kernel.addInterface("eth0", 1500);
        kernel.apply(new KernelChange.AddAddress("eth0", A, 24));
        List<UnderlayChange> changes = new CopyOnWriteArrayList<>();
        try (UnderlayWatcher watcher = new UnderlayWatcher(kernel, new UnderlaySelector.ByName("eth0"), kernel.observe(),
                changes::add, line -> { })) {
            assertThat(watcher.check()).isEmpty();
            kernel.apply(new KernelChange.AddBridge("mooring0", dev.mooring.overlay.address.MacAddress.parse("02:00:64:40:c0:0a"), 1450));
            assertThat(watcher.check()).isEmpty();
            assertThat(changes).isEmpty();
        }
    }
}
