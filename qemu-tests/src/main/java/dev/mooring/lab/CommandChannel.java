package dev.mooring.lab;

import java.time.Duration;

/**
 * How the lab runs commands inside a guest. Two kinds, so an image can choose what it carries:
 * the QEMU guest agent ({@code qemu-guest-agent} over virtio-serial) or Mooring's lab shell on the
 * second serial port ttyS1 (a small shell loop; protocol in docs/lab.md).
 */
public sealed interface CommandChannel extends AutoCloseable permits SerialShellChannel, GuestAgentChannel {

    /** Which channel a machine gets. */
    enum Kind {
        /** The lab shell on ttyS1 (docs/lab.md); the default. */
        SERIAL_SHELL,
        /** qemu-ga on virtio-serial port {@code org.qemu.guest_agent.0}. */
        GUEST_AGENT,
        /** No command channel: only the console, QMP and the network can be observed. */
        NONE
    }

    /** Waits until the guest side answers. */
    void awaitReady(Duration timeout) throws InterruptedException;

    /** Runs {@code command} with {@code /bin/sh} in the guest, as root, and waits for it up to {@code timeout}. */
    ExecResult exec(String command, Duration timeout) throws InterruptedException;

    @Override
    void close();
}
