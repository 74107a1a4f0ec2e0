package dev.mooring.lab.drill;

import dev.mooring.lab.LabException;
import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay from the lab host's loopback into the lab namespace: it listens on
 * {@code 127.0.0.1:<free port>} of the host and, for each connection, opens a socket <em>inside</em>
 * the namespace (created on a thread that joined it with setns(2): a socket stays in the namespace it
 * was created in) to {@code 127.0.0.1:<port>} there, and copies bytes both ways. So the host's
 * {@code java.net.http} client reaches a server in the namespace with no route, veth or address on
 * the host: nothing of the host's network changes, and the relay ends with the lab.
 */
final class LabHubRelay implements AutoCloseable {
    private final NetworkNamespace namespace;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private LabHubRelay(NetworkNamespace namespace, int targetPort, ServerSocket server) {
        this.namespace = namespace;
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Relays {@code 127.0.0.1:<free port>} of the host to {@code 127.0.0.1:targetPort} in the namespace {@code name}. */
    static LabHubRelay start(String name, int targetPort) {
        NetworkNamespace namespace;
        try {
            namespace = NetworkNamespace.open(Path.of("/run/netns", name));
        } catch (IOException e) {
            throw new LabException("cannot open the lab namespace /run/netns/" + name + ": " + e.getMessage(), e);
        }
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            namespace.close();
            throw new LabException("cannot listen on the host's loopback for the hub relay: " + e.getMessage(), e);
        }
        LabHubRelay relay = new LabHubRelay(namespace, targetPort, server);
        Thread.ofPlatform().daemon().name("lab-hub-relay-" + name).start(relay::acceptLoop);
        return relay;
    }

    /** {@code http://127.0.0.1:<port>} on the lab host. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(client);
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        SocketChannel inside = null;
        try {
            inside = openInside();
            inside.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
            Socket target = inside.socket();
            open.add(target);
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            InputStream fromInside = target.getInputStream();
            OutputStream toInside = target.getOutputStream();
            Thread back = Thread.ofVirtual().start(() -> copy(fromInside, toClient, client::shutdownOutput));
            copy(fromClient, toInside, target::shutdownOutput);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The hub is down or a side hung up: the client sees its connection close.
        } finally {
            close(client);
            if (inside != null) {
                close(inside.socket());
            }
        }
    }

    /** The socket is created in the namespace; a closed relay has closed its namespace handle, so it opens none. */
    private synchronized SocketChannel openInside() throws IOException {
        if (closed) {
            throw new IOException("the relay is closed");
        }
        return namespace.call(SocketChannel::open);
    }

    private interface HalfClose {
        void run() throws IOException;
    }

    /** Copies until end of stream, then half-closes the other side, so request and answer ends pass through. */
    private static void copy(InputStream in, OutputStream out, HalfClose done) {
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            done.run();
        } catch (IOException e) {
            // the other side is gone
        }
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(this::close);
        namespace.close();
    }
}
