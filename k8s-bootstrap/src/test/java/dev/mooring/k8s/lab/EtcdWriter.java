package dev.mooring.k8s.lab;

import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Writes keys {@code <prefix><n>} one after the other, as fast as etcd acknowledges them, through
 * etcd's v3 JSON gateway ({@code POST /v3/kv/put}) on {@code 127.0.0.1:2379} inside a host's
 * namespace, over one kept-alive HTTP/1.1 connection opened in that namespace. A write counts as
 * acknowledged only when etcd answered 200 with a revision; a timeout (2 s) or an error drops the
 * connection and the next write opens a new one. Acknowledged writes are recorded with the
 * monotonic time of the answer.
 */
public final class EtcdWriter implements AutoCloseable {

    /** An acknowledged write: its key and when the answer arrived ({@link System#nanoTime()}). */
    public record Ack(String key, long atNanos) {}

    private static final int TIMEOUT_MS = 2000;

    private final Path namespace;
    private final String prefix;
    private final List<Ack> acks = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private Socket socket;

    public EtcdWriter(Path namespace, String prefix) {
        this.namespace = namespace;
        this.prefix = prefix;
        this.thread = Thread.ofPlatform().daemon().name("etcd-writer").start(this::loop);
    }

    private void loop() {
        long n = 0;
        while (running) {
            String key = prefix + String.format("%08d", n);
            try {
                put(key, Long.toString(n));
                synchronized (this) {
                    acks.add(new Ack(key, System.nanoTime()));
                }
                n++;
            } catch (IOException e) {
                // Unacknowledged: maybe applied, maybe not; the next attempt uses the next key.
                n++;
                synchronized (this) {
                    if (errors.size() < 50) {
                        errors.add(e.getMessage());
                    }
                }
                closeSocket();
                pause(20);
            }
        }
        closeSocket();
    }

    private void put(String key, String value) throws IOException {
        if (socket == null) {
            SocketChannel channel;
            try (NetworkNamespace ns = NetworkNamespace.open(namespace)) {
                channel = ns.call(SocketChannel::open);
            }
            socket = channel.socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.connect(new InetSocketAddress("127.0.0.1", 2379), TIMEOUT_MS);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        byte[] body = ("{\"key\":\"" + b64.encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\""
                + b64.encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\"}").getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1:2379\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String response = readResponse(socket.getInputStream());
        if (!response.startsWith("HTTP/1.1 200") || !response.contains("\"revision\"")) {
            throw new IOException("put " + key + ": " + response.lines().findFirst().orElse("(empty)") + " "
                    + response.substring(Math.max(0, response.indexOf("\r\n\r\n"))).strip());
        }
    }

    /** Reads one response with a Content-Length body (the gateway sends one for every answer). */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed by etcd");
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed in the middle of a response");
        }
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing to do.
            }
            socket = null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** Stops writing (waits for the write in flight, at most its timeout). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TIMEOUT_MS * 2L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The longest time without an acknowledged write that overlaps {@code [from, to]}: between two
     * consecutive acknowledgements, or from the last one to {@code end} when none came after it
     * (then a lower bound: the writer was still waiting when observation ended).
     */
    public static Gap longestGap(List<Ack> acks, long from, long to, long end) {
        long worst = 0;
        boolean censored = false;
        long previous = Long.MIN_VALUE;
        for (Ack a : acks) {
            if (previous != Long.MIN_VALUE && a.atNanos() >= from && previous <= to) {
                worst = Math.max(worst, a.atNanos() - previous);
            }
            previous = a.atNanos();
        }
        if (previous == Long.MIN_VALUE || previous < end) {
            long tail = end - (previous == Long.MIN_VALUE ? from : Math.max(previous, from));
            if (previous == Long.MIN_VALUE || previous <= to) {
                if (tail > worst) {
                    worst = tail;
                    censored = true;
                }
            }
        }
        return new Gap(worst / 1_000_000.0, censored);
    }

    /** @param censored true when no write was acknowledged after the gap began, before observation ended */
    public record Gap(double millis, boolean censored) {
        @Override
        public String toString() {
            return censored ? String.format("> %.0f ms (no write acknowledged until the end)", millis) : String.format("%.0f ms", millis);
        }
    }
}
