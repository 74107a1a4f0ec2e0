package dev.mooring.runtime.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace this test created ({@code mr-} and a random suffix), driven with iproute2;
 * closing it deletes it. Tests touch nothing outside the namespaces they create.
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    public static NetworkNamespace create(String purpose) throws IOException {
        byte[] suffix = new byte[3];
        ThreadLocalRandom.current().nextBytes(suffix);
        NetworkNamespace ns = new NetworkNamespace("mr-" + purpose + "-" + HexFormat.of().formatHex(suffix));
        ns.check(List.of("ip", "netns", "add", ns.name));
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code ip -n <ns> args} and returns its output; fails when ip does. */
    public String ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return check(command);
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> exec(List<String> command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", name));
        line.addAll(command);
        return line;
    }

    private String check(List<String> command) throws IOException {
        Processes.Result r = Processes.run(command, Map.of(), IP_TIMEOUT);
        if (r.status() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + r);
        }
        return r.out();
    }

    @Override
    public void close() throws IOException {
        check(List.of("ip", "netns", "delete", name));
    }
}
