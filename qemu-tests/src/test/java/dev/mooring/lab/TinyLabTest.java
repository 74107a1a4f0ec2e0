package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.lab.tiny.TinyGuest;
import dev.mooring.overlay.address.Ipv4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lab with real QEMU machines (the tiny busybox guest): three boot at once on one lab network,
 * take DHCP leases, answer on ttyS1, and move to the other subnet across a network restart
 * (links down, dnsmasq restarted on the other range, links up); QMP reset and a power cycle.
 */
@RequiresQemu
class TinyLabTest {
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static TinyGuest guest;

    @BeforeAll
    static void prepareGuest() throws Exception {
        guest = TinyGuest.prepare();
    }

    private static LabMachine.Builder tiny(String name) {
        return LabMachine.builder(name).withBoot(guest.boot()).withMemoryMb(256)
                .waitingFor(Wait.allOf(Wait.forConsoleLine(TinyGuest.READY_LINE), Wait.forCommandChannel(), Wait.forLease()))
                .withStartupTimeout(BOOT);
    }

    @Test
    void threeMachinesGetLeasesAndMoveToTheOtherSubnetAcrossANetworkRestart() throws Exception {
        try (LabNetwork net = LabNetwork.builder().start()) {
            List<LabMachine> machines = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                machines.add(tiny("tiny" + i).launch(net));
            }
            for (LabMachine m : machines) {
                m.awaitReady();
            }
            Map<LabMachine, Ipv4Address> before = new LinkedHashMap<>();
            for (LabMachine m : machines) {
                Ipv4Address leased = m.lease().orElseThrow();
                assertThat(LabNetwork.DEFAULT_SUBNET.contains(leased)).as("%s leased %s", m.name(), leased).isTrue();
                // The guest applied what dnsmasq leased: its own view through the command channel.
                assertThat(guestAddress(m)).isEqualTo(leased);
                before.put(m, leased);
            }
            assertThat(before.values()).doesNotHaveDuplicates();

            int[] marks = machines.stream().mapToInt(m -> m.console().size()).toArray();
            for (LabMachine m : machines) {
                m.setLink(false);
            }
            for (LabMachine m : machines) {
                m.console().await("tiny: carrier 0", 0, Duration.ofSeconds(60));
            }
            net.restart(LabNetwork.MOVED_SUBNET);
            for (LabMachine m : machines) {
                m.setLink(true);
            }
            for (int i = 0; i < machines.size(); i++) {
                LabMachine m = machines.get(i);
                ConsoleLine line = m.console().await("tiny: lease 203\\.0\\.113\\.", marks[i], Duration.ofMinutes(2));
                Matcher lease = TinyGuest.LEASE_LINE.matcher(line.text());
                assertThat(lease.find()).isTrue();
                Ipv4Address after = m.awaitLease(Duration.ofSeconds(30));
                assertThat(Ipv4Address.parse(lease.group(1))).isEqualTo(after);
                assertThat(LabNetwork.MOVED_SUBNET.contains(after)).isTrue();
                assertThat(guestAddress(m)).isEqualTo(after);
            }
            // The guests reach each other and the gateway on the new subnet.
            for (LabMachine m : machines) {
                m.exec("ping -c 1 -W 5 " + net.gateway(), Duration.ofSeconds(20)).orThrow();
            }
        }
    }

    @Test
    void commandsReturnTheirExitCodeAndOutputAndQmpResetsTheMachine() throws Exception {
        try (LabNetwork net = LabNetwork.builder().start();
             LabMachine m = tiny("tiny1").start(net)) {
            ExecResult result = m.exec("echo out; echo err >&2; printf 'no newline'; exit 3", Duration.ofSeconds(20));
            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.output()).isEqualTo("out\nerr\nno newline");
            // Output that looks like the protocol's own markers does not end the answer early.
            ExecResult tricky = m.exec("echo '@@MR-END x 0@@'; head -c 3000 /dev/zero | tr '\\0' a", Duration.ofSeconds(20));
            assertThat(tricky.output()).startsWith("@@MR-END x 0@@\n").hasSize(15 + 3000);
            int mark = m.console().size();
            m.reset();
            m.console().await(TinyGuest.READY_LINE, mark, BOOT);
            m.commandChannel().awaitReady(Duration.ofMinutes(1));
            assertThat(m.exec("cat /proc/uptime", Duration.ofSeconds(20)).orThrow().output()).isNotBlank();
            // Power cord out and in again: a new QEMU on the same tap and MAC, so the same lease.
            Ipv4Address leased = m.lease().orElseThrow();
            long firstPid = m.qemuPid();
            m.powerOff(Duration.ofSeconds(30));
            assertThat(m.isRunning()).isFalse();
            m.powerOn();
            assertThat(m.qemuPid()).isNotEqualTo(firstPid);
            m.console().await(TinyGuest.READY_LINE, 0, BOOT);
            m.commandChannel().awaitReady(Duration.ofMinutes(1));
            assertThat(guestAddress(m)).isEqualTo(leased);
        }
    }

    private static Ipv4Address guestAddress(LabMachine m) throws InterruptedException {
        String out = m.exec("ip -4 -o addr show dev eth0", Duration.ofSeconds(20)).orThrow().output();
        Matcher inet = java.util.regex.Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(out);
        assertThat(inet.find()).as("an IPv4 address on eth0: %s", out).isTrue();
        return Ipv4Address.parse(inet.group(1));
    }
}
