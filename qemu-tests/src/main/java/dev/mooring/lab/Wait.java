package dev.mooring.lab;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The usual wait strategies, Testcontainers style: {@code machine.waitingFor(Wait.forConsoleLine("login:"))}. */
public final class Wait {
    private Wait() {}

    /** A console line (since the machine started) matching {@code regex} ({@code find}, not a full match). */
    public static WaitStrategy forConsoleLine(String regex) {
        return (machine, timeout) -> machine.console().await(regex, 0, timeout);
    }

    /** The command channel (lab shell or guest agent) answers. */
    public static WaitStrategy forCommandChannel() {
        return (machine, timeout) -> machine.commandChannel().awaitReady(timeout);
    }

    /** {@code command} exits 0 in the guest (polled; the channel must answer first, within the same timeout). */
    public static WaitStrategy forCommand(String command) {
        return (machine, timeout) -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            machine.commandChannel().awaitReady(timeout);
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            Poll.until(left, machine.name() + ": '" + command + "' succeeds in the guest", () -> {
                ExecResult result = machine.exec(command, Duration.ofSeconds(30));
                return result.succeeded() ? Optional.of(result) : Optional.empty();
            }, () -> machine.console().tail(20));
        };
    }

    /** dnsmasq has leased the machine an address of the subnet it serves now. */
    public static WaitStrategy forLease() {
        return (machine, timeout) -> machine.awaitLease(timeout);
    }

    /** Each in turn, all within one {@code timeout}. */
    public static WaitStrategy allOf(WaitStrategy... strategies) {
        List<WaitStrategy> all = List.of(strategies);
        return (machine, timeout) -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (WaitStrategy strategy : all) {
                strategy.waitUntilReady(machine, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        };
    }

    /** Ready at once (QEMU started). */
    public static WaitStrategy none() {
        return (machine, timeout) -> {};
    }
}
