package dev.mooring.lab.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A unix socket speaking one JSON object per line, as QMP and the QEMU guest agent do. One reader
 * thread parses incoming lines into a queue; the guest agent's 0xFF sync delimiter is skipped.
 */
final class JsonLineSocket implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode END = JSON.createObjectNode().put("__end", true);

    private final SocketChannel channel;
    private final BlockingQueue<JsonNode> incoming = new LinkedBlockingQueue<>();
    private final Path path;

    private JsonLineSocket(SocketChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
    }

    static JsonLineSocket connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        JsonLineSocket socket = new JsonLineSocket(channel, path);
        Thread.ofPlatform().daemon().name("json-" + path.getFileName()).start(socket::read);
        return socket;
    }

    private void read() {
        try (InputStream in = Channels.newInputStream(channel)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == 0xFF) {
                    line.reset();
                } else if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (!text.isEmpty()) {
                        try {
                            incoming.add(JSON.readTree(text));
                        } catch (IOException notJson) {
                            // The agent may print garbage before a sync; the sync id tells what to trust.
                        }
                    }
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            // Closed by us or by QEMU.
        } finally {
            incoming.add(END);
        }
    }

    synchronized void send(JsonNode message) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next message, or an {@link IOException} when the socket closed or nothing came within {@code timeout}. */
    JsonNode next(Duration timeout) throws IOException, InterruptedException {
        JsonNode message = incoming.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new IOException("no answer on " + path + " within " + timeout);
        }
        if (message == END) {
            incoming.add(END);
            throw new IOException(path + " closed");
        }
        return message;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing: nothing left to do.
        }
    }
}
