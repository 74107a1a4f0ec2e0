package dev.mooring.overlay.vip;

import static dev.mooring.overlay.config.OverlayConfig.Role.CONTROL_PLANE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.netlink.Errno;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VipHolderTest {

    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");
    private static final MacAddress MAC = MacAddress.parse("02:00:64:40:c0:0a");

    /** One frame as the announcer's contract defines it: {@code count} frames {@code interval} apart, request first. */
    record Frame(long atMillis, String link, Ipv4Address address, MacAddress mac, int operation) {}

    /** Records the frames each call stands for, at the manual clock's time; fails on demand. */
    final class RecordingAnnouncer implements ArpAnnouncer {
        final List<Frame> frames = new ArrayList<>();
        KernelException failure;

        @Override
        public void announce(String link, Ipv4Address address, MacAddress mac, int count, Duration interval) throws KernelException {
            if (failure != null) {
                throw failure;
            }
            for (int i = 0; i < count; i++) {
                frames.add(new Frame(time.millis() + i * interval.toMillis(), link, address, mac,
                        i % 2 == 0 ? GratuitousArpPacket.REQUEST : GratuitousArpPacket.REPLY));
            }
        }

        @Override
        public void close() {}
    }

    private final ManualTime time = new ManualTime();
    private final RecordingAnnouncer announcer = new RecordingAnnouncer();
    private final List<Optional<Ipv4Address>> reconciler = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final VipHolder holder = new VipHolder(VIP, MAC, reconciler::add, announcer, time, time, log::add);

    private static Frame frame(long at, int operation) {
        return new Frame(at, "mooring0", VIP, MAC, operation);
    }

    @Test
    void becomingHolderHoldsTheVipAndAnnouncesItAt0_100And300MsAlternatingRequestAndReply() {
        time.advance(Duration.ofMillis(1000));
        holder.update(true);
        time.advance(Duration.ofSeconds(5));

        assertThat(reconciler).containsExactly(Optional.of(VIP));
        assertThat(announcer.frames).containsExactly(
                frame(1000, GratuitousArpPacket.REQUEST),
                frame(1100, GratuitousArpPacket.REPLY),
                frame(1300, GratuitousArpPacket.REQUEST));
        assertThat(holder.held()).isTrue();
        assertThat(holder.heldSince()).contains(Instant.EPOCH.plusMillis(1000));
        assertThat(log).isEmpty();
    }

    @Test
    void theSameResultAgainChangesNothing() {
        holder.update(true);
        time.advance(Duration.ofSeconds(1));
        holder.update(true);
        time.advance(Duration.ofSeconds(1));
        holder.update(false);
        holder.update(false);

        assertThat(reconciler).containsExactly(Optional.of(VIP), Optional.empty());
        assertThat(announcer.frames).hasSize(3);
    }

    @Test
    void losingTheElectionReleasesAtOnceAndCancelsFramesNotYetSent() {
        holder.update(true);
        time.advance(Duration.ofMillis(150));
        holder.update(false);
        time.advance(Duration.ofSeconds(5));

        assertThat(reconciler).containsExactly(Optional.of(VIP), Optional.empty());
        assertThat(announcer.frames).containsExactly(frame(0, GratuitousArpPacket.REQUEST), frame(100, GratuitousArpPacket.REPLY));
        assertThat(holder.held()).isFalse();
        assertThat(holder.heldSince()).isEmpty();
    }

    @Test
    void aReleaseBeforeTheFirstFrameSendsNone() {
        holder.update(true);
        holder.update(false);
        time.advance(Duration.ofSeconds(5));
        assertThat(announcer.frames).isEmpty();
    }

    @Test
    void takingTheVipAgainAnnouncesAgain() {
        holder.update(true);
        time.advance(Duration.ofSeconds(1));
        holder.update(false);
        time.advance(Duration.ofSeconds(1));
        holder.update(true);
        time.advance(Duration.ofSeconds(1));

        assertThat(reconciler).containsExactly(Optional.of(VIP), Optional.empty(), Optional.of(VIP));
        assertThat(announcer.frames).extracting(Frame::atMillis).containsExactly(0L, 100L, 300L, 2000L, 2100L, 2300L);
    }

    @Test
    void closeReleasesAndLaterResultsAreIgnored() {
        holder.update(true);
        time.advance(Duration.ofMillis(10));
        holder.close();
        holder.update(true);
        time.advance(Duration.ofSeconds(5));

        assertThat(reconciler).containsExactly(Optional.of(VIP), Optional.empty());
        assertThat(announcer.frames).containsExactly(frame(0, GratuitousArpPacket.REQUEST), frame(100, GratuitousArpPacket.REPLY));
        assertThat(holder.held()).isFalse();
    }

    @Test
    void closeWithoutTheVipTellsTheReconcilerNothing() {
        holder.close();
        assertThat(reconciler).isEmpty();
    }

    @Test
    void aFailedAnnouncementIsLoggedAndTheVipIsStillHeld() {
        announcer.failure = new KernelException("announce 100.64.192.1 at 02:00:64:40:c0:0a on 'mooring0' failed: ENETDOWN", Errno.ENETDOWN);
        holder.update(true);
        time.advance(Duration.ofSeconds(1));

        assertThat(holder.held()).isTrue();
        assertThat(log).hasSize(2).first().asString()
                .startsWith("VIP 100.64.192.1: gratuitous ARP on mooring0 failed: announce 100.64.192.1")
                .endsWith("; peers reach the VIP here once their ARP entries expire");
    }

    @Test
    void electTakesTheVipOnlyWhenThisHostComesFirst() {
        Candidate self = new Candidate("h2", Ipv4Address.parse("100.64.192.11"), CONTROL_PLANE, true, true);
        Candidate lower = new Candidate("h1", Ipv4Address.parse("100.64.192.10"), CONTROL_PLANE, true, true);
        Candidate lowerDead = new Candidate("h1", Ipv4Address.parse("100.64.192.10"), CONTROL_PLANE, false, true);

        holder.elect("h2", List.of(self, lower));
        assertThat(holder.held()).isFalse();
        holder.elect("h2", List.of(self, lowerDead));
        assertThat(holder.held()).isTrue();
        holder.elect("h2", List.of(lower, self));
        assertThat(holder.held()).isFalse();
        assertThat(reconciler).containsExactly(Optional.of(VIP), Optional.empty());
    }
}
