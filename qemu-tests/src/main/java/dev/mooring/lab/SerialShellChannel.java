package dev.mooring.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The lab shell on ttyS1, reached through QEMU's unix socket for that serial port ({@link ShellProtocol}). */
public final class SerialShellChannel implements CommandChannel {
    private static final String EOF = "\u0000EOF";

    private final Path socketPath;
    private final String machine;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final String session = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(4);
    private SocketChannel channel;

    SerialShellChannel(Path socketPath, String machine) {
        this.socketPath = socketPath;
        this.machine = machine;
    }

    /** Connects to QEMU's side now, so nothing the guest sends from boot on is lost. */
    void connect(Duration timeout) throws InterruptedException {
        channel = Poll.until(timeout, machine + ": QEMU's ttyS1 socket " + socketPath + " accepts", () -> {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                c.connect(UnixDomainSocketAddress.of(socketPath));
                return Optional.of(c);
            } catch (IOException e) {
                c.close();
                throw e;
            }
        }, () -> "");
        Thread.ofPlatform().daemon().name("ttyS1-" + machine).start(this::read);
    }

    private void read() {
        try (InputStream in = Channels.newInputStream(channel)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    lines.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (b != '\r') {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            // QEMU went away.
        } finally {
            lines.add(EOF);
        }
    }

    static final Duration INITIAL_PROBE = Duration.ofSeconds(3);
    static final Duration LONGEST_PROBE = Duration.ofSeconds(60);

    /** The readiness probe after one of {@code step} went unanswered: twice as long, at most {@link #LONGEST_PROBE}. */
    static Duration nextProbe(Duration step) {
        Duration doubled = step.multipliedBy(2);
        return doubled.compareTo(LONGEST_PROBE) > 0 ? LONGEST_PROBE : doubled;
    }

    @Override
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // A probe every few seconds: a request sent before the loop runs is lost (or echoed), not queued.
        // Once the loop runs, requests ARE queued: a guest that needs longer than one attempt to answer
        // (TCG on a loaded host: more than 5 s for `true`) would fall further behind with every new
        // request if they kept coming at the same pace. So each attempt waits twice as long as the last.
        Duration step = INITIAL_PROBE;
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                throw new LabTimeoutException(machine + ": the lab shell on ttyS1 answers (is it in the image? docs/lab.md)", timeout, "");
            }
            Duration attempt = left.compareTo(step) < 0 ? left : step;
            try {
                if (exec("true", attempt).exitCode() == 0) {
                    return;
                }
            } catch (LabTimeoutException notYet) {
                // Try again with a new id, waiting longer.
            }
            step = nextProbe(step);
        }
    }

    @Override
    public synchronized ExecResult exec(String command, Duration timeout) throws InterruptedException {
        String id = session + "-" + ids.incrementAndGet();
        ShellProtocol.Answer answer = new ShellProtocol.Answer(id, command);
        // Lines left from an earlier, timed-out request can never match this id; drop them.
        lines.removeIf(l -> !l.equals(EOF));
        try {
            ByteBuffer request = ByteBuffer.wrap(ShellProtocol.request(id, timeout, command).getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request);
            }
        } catch (IOException e) {
            throw new LabException(machine + ": cannot write to ttyS1 (" + socketPath + "): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.plusSeconds(2).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new LabTimeoutException(machine + ": answer to '" + command + "' on ttyS1", timeout, "");
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new LabException(machine + ": ttyS1 closed (QEMU exited?) while running '" + command + "'");
            }
            Optional<ExecResult> result = answer.accept(line);
            if (result.isPresent()) {
                return result.get();
            }
        }
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Closing.
        }
    }
}
