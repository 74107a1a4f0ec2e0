package dev.mooring.lab;

import dev.mooring.lab.qmp.GuestAgentClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The QEMU guest agent as the command channel: {@code guest-exec} of {@code /bin/sh -c}. */
public final class GuestAgentChannel implements CommandChannel {
    private final Path socketPath;
    private final String machine;
    private GuestAgentClient client;

    GuestAgentChannel(Path socketPath, String machine) {
        this.socketPath = socketPath;
        this.machine = machine;
    }

    void connect(Duration timeout) throws InterruptedException {
        client = Poll.until(timeout, machine + ": QEMU's guest agent socket " + socketPath + " accepts",
                () -> Optional.of(GuestAgentClient.connect(socketPath)), () -> "");
    }

    @Override
    public void awaitReady(Duration timeout) throws InterruptedException {
        Poll.until(timeout, machine + ": the QEMU guest agent answers guest-sync (is qemu-guest-agent in the image?)", () -> {
            client.sync(Duration.ofSeconds(3));
            return Optional.of(true);
        }, () -> "");
    }

    @Override
    public ExecResult exec(String command, Duration timeout) throws InterruptedException {
        try {
            GuestAgentClient.Exited exited = client.exec(command, timeout);
            return new ExecResult(command, exited.exitCode(), exited.stdout() + exited.stderr());
        } catch (IOException e) {
            throw new LabException(machine + ": guest agent: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
