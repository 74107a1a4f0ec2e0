package dev.mooring.overlay.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import dev.mooring.overlay.testing.UdpProbe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control-plane VIP across the death and the clean stop of its holder: h1 and h2 are
 * control-plane, h3 is a worker that keeps asking the VIP (a UDP echo every 10 ms; every
 * control-plane host answers with its name) and pings it.
 *
 * <p>A crash is modelled as a crash looks to the network: the holder's service gets SIGKILL and
 * its cable is pulled in the same instant. (A SIGKILLed service alone leaves its kernel state,
 * VIP included, on a host that is still on the wire; only a dead machine stops answering ARP.)
 * The announce interval here is 2 s, so a member is declared dead after 8 s: a handover seen
 * well before that, after SIGTERM, can only come from the leaving announcement.
 */
@RequiresNetns
class VipDrillTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    /** Dead after 4 intervals (8 s), then the election, then gratuitous ARP: a wide bound. */
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    /** Half the dead timeout: what the clean stop must beat, or it was not the leaving announcement that moved the VIP. */
    private static final Duration HANDOVER = INTERVAL.multipliedBy(2);
    /** One poll's wait for an echo from the VIP (the probe asks every 10 ms). */
    private static final Duration ANSWER = Duration.ofSeconds(1);

    private DhcpLab dhcp;
    private OverlayHosts overlay;
    private UdpProbe probe;
    private NetnsLab.Host h1;
    private NetnsLab.Host h2;
    private NetnsLab.Host h3;

    @BeforeEach
    void twoControlPlanesAndAWorker() throws Exception {
        dhcp = DhcpLab.create(3);
        overlay = new OverlayHosts(dhcp.netns(), 2, OverlayHosts.Settings.defaults().withInterval(INTERVAL));
        h1 = dhcp.netns().host(1);
        h2 = dhcp.netns().host(2);
        h3 = dhcp.netns().host(3);
        overlay.startAll(dhcp.netns().hosts());
        probe = new UdpProbe(Duration.ofMillis(10));
        probe.respond("h1", h1.namespaceFile());
        probe.respond("h2", h2.namespaceFile());
        probe.probe("vip", h3.namespaceFile(), overlay.settings().vip());
    }

    @AfterEach
    void tearDown() {
        if (probe != null) {
            probe.close();
        }
        if (overlay != null) {
            overlay.close();
        }
        if (dhcp != null) {
            dhcp.close();
        }
    }

    @Test
    void whenTheHolderDiesTheOtherControlPlaneHostAnswersAndOneHolderRemainsAfterItReturns() throws Exception {
        NetnsLab.Host holder = awaitSingleHolder();
        NetnsLab.Host other = holder.equals(h1) ? h2 : h1;

        long killed = System.nanoTime();
        dhcp.disconnect(holder);
        overlay.kill(holder);

        Optional<UdpProbe.Answer> answer = probe.firstAnswer("vip", killed, name -> name.equals("h" + other.number()), FAILOVER);
        assertThat(answer).as("the VIP answers from h%d after h%d died; logs:\n%s", other.number(), holder.number(), overlay.logs())
                .isPresent();
        assertThat(overlay.vipHolders(List.of(other, h3))).containsExactly(other);
        assertThat(overlay.ping(h3, overlay.settings().vip())).as("h3 pings the VIP").isTrue();

        // The dead host comes back (rebooted, on the wire again): after the heal exactly one host holds the VIP.
        overlay.forgetKernelState(holder);
        dhcp.reconnect(holder);
        overlay.start(holder);
        awaitSingleHolder();
    }

    @Test
    void aCleanStopHandsTheVipOverBeforeTheHolderCouldBeDeclaredDead() throws Exception {
        NetnsLab.Host holder = awaitSingleHolder();
        NetnsLab.Host other = holder.equals(h1) ? h2 : h1;

        long stopped = System.nanoTime();
        int exit = overlay.stop(holder);
        assertThat(exit).as("exit code of SIGTERM").isIn(0, 143);
        assertThat(overlay.bridgeAddresses(holder)).as("the stopped holder released the VIP")
                .doesNotContainKey(overlay.settings().vip());

        Optional<UdpProbe.Answer> answer = probe.firstAnswer("vip", stopped, name -> name.equals("h" + other.number()), HANDOVER);
        assertThat(answer).as("h%d answers for the VIP within %s of h%d's SIGTERM (dead timeout: %s); logs:\n%s", other.number(),
                HANDOVER, holder.number(), INTERVAL.multipliedBy(4), overlay.logs()).isPresent();
        assertThat(overlay.vipHolders(dhcp.netns().hosts())).containsExactly(other);
    }

    /**
     * Waits until exactly one host holds the VIP (kernel view) and answers for it, with the same
     * single holder seen before and after the answer (a VIP moving back after a heal passes
     * through other states); checks that it is control-plane.
     */
    private NetnsLab.Host awaitSingleHolder() throws Exception {
        AtomicReference<NetnsLab.Host> seen = new AtomicReference<>();
        overlay.awaitTrue(FAILOVER, "exactly one host holds " + overlay.settings().vip() + " and answers for it", () -> {
            List<NetnsLab.Host> holders = overlay.vipHolders(dhcp.netns().hosts());
            if (holders.size() != 1) {
                return false;
            }
            NetnsLab.Host holder = holders.getFirst();
            seen.set(holder);
            return probe.firstAnswer("vip", System.nanoTime(), name -> name.equals("h" + holder.number()), ANSWER).isPresent()
                    && overlay.vipHolders(dhcp.netns().hosts()).equals(holders);
        });
        assertThat(overlay.isControlPlane(seen.get())).as("h%d holds the VIP", seen.get().number()).isTrue();
        return seen.get();
    }
}
