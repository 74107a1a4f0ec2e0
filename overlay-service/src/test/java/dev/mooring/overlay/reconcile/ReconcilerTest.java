package dev.mooring.overlay.reconcile;

import static dev.mooring.overlay.reconcile.DesiredState.BRIDGE;
import static dev.mooring.overlay.reconcile.DesiredState.VXLAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

    private final TestHost host = new TestHost();
    private final Reconciler reconciler = new Reconciler(host.kernel, TestHost.SETTINGS, TestHost.ADDRESS,
            () -> TestHost.peers(2), Clock.systemUTC());
    private final BlockingQueue<Reconciler.Outcome> outcomes = new LinkedBlockingQueue<>();
    private Thread loop;

    @AfterEach
    void stop() throws InterruptedException {
        reconciler.close();
        if (loop != null) {
            loop.join(5000);
            assertThat(loop.isAlive()).isFalse();
        }
    }

    @Test
    void aSecondPassChangesNothing() throws Exception {
        assertThat(reconciler.start().applied()).hasSize(12);
        Reconciler.Pass again = reconciler.reconcileOnce();
        assertThat(again.applied()).isEmpty();
        assertThat(again.desired().underlay().name()).isEqualTo("eth0");
    }

    @Test
    void aFailedStartRemovesWhatItCreated() throws Exception {
        KernelState before = host.kernel.observe();
        host.kernel.deny(c -> c instanceof KernelChange.AddAddress);
        assertThatThrownBy(reconciler::start).isInstanceOfSatisfying(Reconciler.ApplyException.class, e -> {
            assertThat(e.failed()).isEqualTo(new KernelChange.AddAddress(BRIDGE, TestHost.ADDRESS, 23));
            assertThat(e.errno()).isEqualTo(1);
            assertThat(e.applied()).hasSize(5);
        });
        assertThat(host.kernel.observe()).isEqualTo(before);
    }

    @Test
    void anUnusableUnderlayChangesNothing() throws Exception {
        Reconciler wrong = new Reconciler(host.kernel, TestHost.settings(new UnderlaySelector.ByName("eth7"), OptionalInt.empty()),
                TestHost.ADDRESS, List::of, Clock.systemUTC());
        assertThatThrownBy(wrong::start).isInstanceOf(UnderlayException.class);
        assertThat(host.kernel.applied()).extracting(Object::getClass).containsOnly(KernelChange.AddAddress.class);
    }

    @Test
    void driftIsRepairedOnTheEventItCauses() throws Exception {
        reconciler.start();
        startLoop(Duration.ofHours(1));
        KernelState right = host.kernel.observe();

        host.kernel.apply(new KernelChange.DeleteFdb(VXLAN, MacAddress.ZERO, TestHost.peers(1).getFirst().underlay()));
        assertThat(nextPassWithChanges().applied()).containsExactly(
                new KernelChange.AppendFdb(VXLAN, MacAddress.ZERO, TestHost.peers(1).getFirst().underlay()));

        host.kernel.apply(new KernelChange.DeleteAddress(BRIDGE, TestHost.ADDRESS, 23));
        assertThat(nextPassWithChanges().applied()).containsExactly(new KernelChange.AddAddress(BRIDGE, TestHost.ADDRESS, 23));

        host.kernel.apply(new KernelChange.DeleteLink(VXLAN));
        assertThat(nextPassWithChanges().applied()).startsWith(new KernelChange.AddVxlan(VXLAN, 4242, 4789, "eth0", 1450));
        assertThat(host.kernel.observe().fdb()).hasSameSizeAs(right.fdb());
    }

    @Test
    void theTimerRunsPassesWithoutEvents() throws Exception {
        reconciler.start();
        startLoop(Duration.ofMillis(20));
        Reconciler.Outcome first = outcomes.poll(5, TimeUnit.SECONDS);
        Reconciler.Outcome second = outcomes.poll(5, TimeUnit.SECONDS);
        assertThat(List.of(first, second)).allSatisfy(o ->
                assertThat(o).isInstanceOfSatisfying(Reconciler.Pass.class, p -> assertThat(p.applied()).isEmpty()));
    }

    @Test
    void aFailedPassIsReportedAndRetried() throws Exception {
        reconciler.start();
        host.kernel.deny(c -> true);
        startLoop(Duration.ofHours(1));
        host.kernel.deny(c -> false);
        host.kernel.apply(new KernelChange.DeleteAddress(BRIDGE, TestHost.ADDRESS, 23));
        host.kernel.deny(c -> true);
        assertThat(next(Reconciler.Failure.class).cause()).hasMessageContaining("EPERM");
        host.kernel.deny(c -> false);
        assertThat(nextPassWithChanges().applied()).containsExactly(new KernelChange.AddAddress(BRIDGE, TestHost.ADDRESS, 23));
    }

    private void startLoop(Duration period) {
        loop = Thread.ofPlatform().name("reconcile-test").start(() -> {
            try {
                reconciler.run(period, outcomes::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private <T extends Reconciler.Outcome> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Reconciler.Outcome o = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(o)) {
                return type.cast(o);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 5 s");
    }

    private Reconciler.Pass nextPassWithChanges() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Reconciler.Outcome o = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (o instanceof Reconciler.Pass p && !p.applied().isEmpty()) {
                return p;
            }
        }
        throw new AssertionError("no pass applied anything within 5 s");
    }
}
