package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.lab.tiny.TinyGuest;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing is left behind (namespace, taps, QEMU, dnsmasq, files) after a passing run, a failing run, or Ctrl-C. */
@RequiresQemu
class TeardownTest {
    private static TinyGuest guest;

    @BeforeAll
    static void prepareGuest() throws Exception {
        guest = TinyGuest.prepare();
    }

    /** What a run created, to look for afterwards. */
    record Footprint(String namespace, long qemuPid, long dnsmasqPid, Path dir) {
        void assertGone() throws InterruptedException {
            // QEMU and dnsmasq are killed by PID and reaped before close() returns; the hook likewise before the JVM exits.
            Poll.until(Duration.ofSeconds(20), "QEMU " + qemuPid + " and dnsmasq " + dnsmasqPid + " have exited",
                    () -> ProcessHandle.of(qemuPid).map(p -> !p.isAlive()).orElse(true)
                            && ProcessHandle.of(dnsmasqPid).map(p -> !p.isAlive()).orElse(true));
            assertThat(HostCommand.run("ip", "netns", "list").orThrow().stdout()).doesNotContain(namespace);
            assertThat(Path.of("/run/netns", namespace)).doesNotExist();
            // The taps lived only in the namespace; none may have leaked into the host's.
            assertThat(HostCommand.run("ip", "-o", "link", "show").orThrow().stdout()).doesNotContain("52:54:00:6d:72:");
            assertThat(dir).doesNotExist();
        }

        void removeLeftovers() {
            for (long pid : new long[] {qemuPid, dnsmasqPid}) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            HostCommand.run("ip", "netns", "delete", namespace);
            HostCommand.run("rm", "-rf", dir.toString());
        }
    }

    private static LabMachine.Builder tiny(String name) {
        return LabMachine.builder(name).withBoot(guest.boot()).withMemoryMb(256)
                .waitingFor(Wait.forConsoleLine(TinyGuest.READY_LINE)).withStartupTimeout(Duration.ofMinutes(4));
    }

    @Test
    void aPassingRunLeavesNothing() throws Exception {
        Footprint footprint;
        try (LabNetwork net = LabNetwork.builder().start(); LabMachine m = tiny("pass1").start(net)) {
            footprint = new Footprint(net.namespace(), m.qemuPid(), net.dhcpServerPid(), net.directory());
            assertThat(HostCommand.run("ip", "netns", "list").orThrow().stdout()).contains(net.namespace());
            assertThat(net.exec("ip", "-o", "link", "show", "tap1").orThrow().stdout()).contains("master br0");
            assertThat(ProcessHandle.of(m.qemuPid()).map(ProcessHandle::isAlive)).contains(true);
        }
        footprint.assertGone();
    }

    @Test
    void aFailingRunLeavesNothing() throws Exception {
        Footprint[] footprint = new Footprint[1];
        assertThatThrownBy(() -> {
            try (LabNetwork net = LabNetwork.builder().start()) {
                LabMachine m = tiny("fail1").start(net);
                footprint[0] = new Footprint(net.namespace(), m.qemuPid(), net.dhcpServerPid(), net.directory());
                // A check failing mid-drill, with the machine still running (closed only through the network).
                m.console().await("this line never comes", 0, Duration.ofSeconds(1));
            }
        }).isInstanceOf(LabTimeoutException.class).hasMessageContaining("this line never comes").hasMessageContaining("console");
        footprint[0].assertGone();
    }

    @Test
    void aStartThatTimesOutLeavesNothing() throws Exception {
        try (LabNetwork net = LabNetwork.builder().start()) {
            assertThatThrownBy(() -> LabMachine.builder("slow1").withBoot(guest.boot()).withMemoryMb(256)
                    .waitingFor(Wait.forConsoleLine("never printed")).withStartupTimeout(Duration.ofSeconds(2)).start(net))
                    .isInstanceOf(LabTimeoutException.class);
            // The machine that failed to start is closed by start() itself, and its tap is free to look at.
            assertThat(net.exec("ip", "-o", "link", "show", "tap1").orThrow().stdout()).doesNotContain("LOWER_UP");
        }
    }

    @Test
    void ctrlCInTheJvmHoldingTheLabLeavesNothing() throws Exception {
        // SIGINT as a terminal delivers it: a JVM started with SIGINT ignored (inherited from a build run
        // in the background or under nohup) never runs its shutdown hooks on it, whatever the lab does.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(NetnsLab.javaCommand(LabChild.class, guest.kernel().toString(), guest.initrd().toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        Footprint started = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("the child lab came up; it printed:\n%s", seen).isNotNull();
            // Keep reading: a child whose output pipe fills up blocks in a write and never exits. What it
            // prints is kept for the failure message (its shutdown hook's complaints, a thread dump).
            StringBuffer after = new StringBuffer();
            Thread.ofPlatform().daemon().start(() -> out.lines().forEach(l -> after.append(l).append('\n')));
            String[] f = line.split(" ");
            Footprint footprint = new Footprint(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Path.of(f[4]));
            assertThat(Files.isDirectory(footprint.dir())).isTrue();
            started = footprint;
            HostCommand.run("kill", "-INT", Long.toString(child.pid())).orThrow();
            boolean exited = child.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                // Where its shutdown hook hangs: SIGQUIT makes the JVM print every thread's stack.
                HostCommand.run("kill", "-QUIT", Long.toString(child.pid()));
                Thread.sleep(2000);
            }
            assertThat(exited).as("the child exits on SIGINT; after READY it printed:\n%s", after).isTrue();
            footprint.assertGone();
        } finally {
            child.destroyForcibly();
            if (started != null) {
                // When the child failed to tear down, a killed child runs no hook: remove what it left, by PID.
                started.removeLeftovers();
            }
        }
    }
}
