package dev.mooring.lab.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The QEMU guest agent (qemu-ga in the guest, a virtio-serial port on the host side): syncs with
 * {@code guest-sync-delimited}, runs commands with {@code guest-exec} and polls
 * {@code guest-exec-status} for their exit code and output.
 */
public final class GuestAgentClient implements AutoCloseable {
    private final JsonLineSocket socket;

    /** A finished command in the guest. */
    public record Exited(int exitCode, String stdout, String stderr) {}

    private GuestAgentClient(JsonLineSocket socket) {
        this.socket = socket;
    }

    public static GuestAgentClient connect(Path path) throws IOException {
        return new GuestAgentClient(JsonLineSocket.connect(path));
    }

    /**
     * Synchronises with the agent: stale answers from an earlier session are discarded up to the
     * answer carrying this sync's id. Fails when no agent answers within {@code timeout}.
     */
    public synchronized void sync(Duration timeout) throws IOException, InterruptedException {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE >> 12);
        ObjectNode request = JsonLineSocket.JSON.createObjectNode().put("execute", "guest-sync-delimited");
        request.putObject("arguments").put("id", id);
        socket.send(request);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            JsonNode message = socket.next(left);
            if (message.path("return").asLong(-1) == id) {
                return;
            }
        }
    }

    /** Runs {@code /bin/sh -c script} in the guest and waits up to {@code timeout} for it to exit. */
    public synchronized Exited exec(String script, Duration timeout) throws IOException, InterruptedException {
        ObjectNode request = JsonLineSocket.JSON.createObjectNode().put("execute", "guest-exec");
        ObjectNode arguments = request.putObject("arguments");
        arguments.put("path", "/bin/sh");
        arguments.putArray("arg").add("-c").add(script);
        arguments.put("capture-output", true);
        long pid = call(request, timeout).path("pid").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ObjectNode status = JsonLineSocket.JSON.createObjectNode().put("execute", "guest-exec-status");
            status.putObject("arguments").put("pid", pid);
            JsonNode answer = call(status, timeout);
            if (answer.path("exited").asBoolean()) {
                return new Exited(answer.path("exitcode").asInt(answer.has("signal") ? 128 + answer.path("signal").asInt() : -1),
                        decode(answer.path("out-data")), decode(answer.path("err-data")));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("guest command did not exit within " + timeout + ": " + script);
            }
            Thread.sleep(100);
        }
    }

    private JsonNode call(ObjectNode request, Duration timeout) throws IOException, InterruptedException {
        socket.send(request);
        JsonNode message = socket.next(timeout);
        if (message.has("error")) {
            throw new QmpException(request.path("execute").asText() + ": " + message.get("error").path("desc").asText());
        }
        return message.path("return");
    }

    private static String decode(JsonNode base64) {
        return base64.isMissingNode() || base64.isNull() ? "" : new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        socket.close();
    }
}
