package dev.mooring.lab.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A small client of the QEMU Machine Protocol over a unix socket: the capabilities handshake,
 * {@code set_link}, {@code system_reset}, {@code system_powerdown}, {@code quit}, {@code query-status}.
 * Asynchronous events (RESET, SHUTDOWN, NIC_RX_FILTER_CHANGED...) are kept, stamped, for timelines.
 */
public final class QmpClient implements AutoCloseable {
    private static final Duration ANSWER = Duration.ofSeconds(30);

    /** An event QEMU sent, stamped when it was read. */
    public record Event(Instant at, String name, JsonNode data) {}

    private final JsonLineSocket socket;
    private final List<Event> events = new ArrayList<>();

    private QmpClient(JsonLineSocket socket) {
        this.socket = socket;
    }

    /** Connects to {@code path} and negotiates capabilities. */
    public static QmpClient connect(Path path) throws IOException, InterruptedException {
        JsonLineSocket socket = JsonLineSocket.connect(path);
        try {
            JsonNode greeting = socket.next(ANSWER);
            if (!greeting.has("QMP")) {
                throw new QmpException("expected the QMP greeting on " + path + ", got " + greeting);
            }
            QmpClient client = new QmpClient(socket);
            client.execute("qmp_capabilities", null);
            return client;
        } catch (IOException | InterruptedException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Runs {@code command} with {@code arguments} (may be null) and returns its {@code return} value;
     * a QMP error becomes a {@link QmpException} with QEMU's class and description.
     */
    public synchronized JsonNode execute(String command, ObjectNode arguments) throws IOException, InterruptedException {
        ObjectNode request = JsonLineSocket.JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        socket.send(request);
        while (true) {
            JsonNode message = socket.next(ANSWER);
            if (message.has("event")) {
                synchronized (events) {
                    events.add(new Event(Instant.now(), message.get("event").asText(), message.path("data")));
                }
            } else if (message.has("return")) {
                return message.get("return");
            } else if (message.has("error")) {
                JsonNode error = message.get("error");
                throw new QmpException(command + ": " + error.path("class").asText() + ": " + error.path("desc").asText());
            }
        }
    }

    /** Connects or disconnects the virtual cable of NIC {@code device}, as the guest sees it (carrier). */
    public void setLink(String device, boolean up) throws IOException, InterruptedException {
        execute("set_link", JsonLineSocket.JSON.createObjectNode().put("name", device).put("up", up));
    }

    /** The reset button. */
    public void systemReset() throws IOException, InterruptedException {
        execute("system_reset", null);
    }

    /** The ACPI power button: the guest shuts down if it listens for it. */
    public void systemPowerdown() throws IOException, InterruptedException {
        execute("system_powerdown", null);
    }

    /** QEMU exits at once (the power cord). */
    public void quit() throws IOException, InterruptedException {
        execute("quit", null);
    }

    /** {@code running}, {@code paused}, {@code shutdown}... */
    public String status() throws IOException, InterruptedException {
        return execute("query-status", null).path("status").asText();
    }

    /** Events read so far (only while a command was waiting for its answer). */
    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
