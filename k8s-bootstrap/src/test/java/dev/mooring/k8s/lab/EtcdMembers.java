package dev.mooring.k8s.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.k8s.render.EtcdConfig;
import dev.mooring.k8s.render.Rendered;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's real {@code /usr/bin/etcd}, one per lab host, each started inside its namespace
 * ({@code ip netns exec}, through {@link NetnsLab#start}, so killed by PID with the lab at the
 * latest) with exactly the environment of the {@code /etc/default/etcd} that prepare rendered for
 * that host, its data directory in a temporary directory. {@code etcdctl} runs inside the
 * namespaces against each member's loopback client URL.
 */
public final class EtcdMembers implements AutoCloseable {

    public static final Path ETCD = Path.of("/usr/bin/etcd");
    public static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetnsLab lab;
    private final Path dir;
    private final Map<NetnsLab.Host, NetnsLab.Background> processes = new LinkedHashMap<>();

    /** Skips the calling test (JUnit assumption, reason printed) when etcd-server or etcd-client is missing. */
    public static void assumeInstalled() {
        for (Path p : List.of(ETCD, ETCDCTL)) {
            if (!Files.isExecutable(p)) {
                String reason = p + " is not installed (Debian etcd-server, etcd-client); run bin/ensure-packages as root";
                System.err.println("skipped: " + reason);
                Assumptions.abort(reason);
            }
        }
    }

    public EtcdMembers(NetnsLab lab) throws IOException {
        this.lab = lab;
        this.dir = Files.createTempDirectory("mr-etcd-");
    }

    /** A fresh data directory for {@code host} (the member's state lives there). */
    public Path dataDirectory(NetnsLab.Host host, String run) throws IOException {
        return Files.createDirectories(dir.resolve(run + "-h" + host.number()));
    }

    /** The {@code ETCD_*} variables of a rendered {@code /etc/default/etcd}. */
    public static Map<String, String> environment(List<Rendered> rendered) {
        Rendered.File file = rendered.stream().filter(r -> r.path().equals(EtcdConfig.ENVIRONMENT))
                .map(Rendered.File.class::cast).findFirst().orElseThrow(() -> new AssertionError("no " + EtcdConfig.ENVIRONMENT + " rendered"));
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : file.content().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String value = line.substring(eq + 1);
            if (!value.startsWith("\"") || !value.endsWith("\"")) {
                throw new AssertionError("unquoted value in " + EtcdConfig.ENVIRONMENT + ": " + line);
            }
            env.put(line.substring(0, eq), value.substring(1, value.length() - 1));
        }
        return env;
    }

    /** Starts etcd on {@code host} with {@code env} and nothing else ({@code env -i}). */
    public void start(NetnsLab.Host host, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "-i"));
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(ETCD.toString());
        processes.put(host, lab.start(host.namespace(), command));
    }

    /** {@code etcdctl endpoint health} against {@code host}'s member; the whole output in {@code result}. */
    public NetnsLab.Result health(NetnsLab.Host host) throws IOException {
        return etcdctl(host, "--command-timeout=3s", "endpoint", "health");
    }

    public boolean healthy(NetnsLab.Host host) throws IOException {
        NetnsLab.Result r = health(host);
        return r.succeeded() && (r.stdout() + r.stderr()).contains("is healthy");
    }

    /** The members as {@code host} lists them: {@code name id peerURLs}, sorted. */
    public List<String> memberList(NetnsLab.Host host) throws IOException {
        NetnsLab.Result r = etcdctl(host, "--command-timeout=3s", "member", "list", "-w", "json").orThrow();
        List<String> out = new ArrayList<>();
        for (JsonNode m : JSON.readTree(r.stdout()).path("members")) {
            out.add(m.path("name").asText() + " " + Long.toUnsignedString(m.path("ID").asLong(), 16) + " " + m.path("peerURLs"));
        }
        return out.stream().sorted().toList();
    }

    /** Every key under {@code prefix}, read (linearizably) through {@code host}'s member. */
    public TreeSet<String> keys(NetnsLab.Host host, String prefix) throws IOException {
        NetnsLab.Result r = etcdctl(host, "--command-timeout=10s", "get", prefix, "--prefix", "--keys-only").orThrow();
        TreeSet<String> keys = new TreeSet<>();
        r.stdout().lines().filter(l -> !l.isBlank()).forEach(keys::add);
        return keys;
    }

    public NetnsLab.Result etcdctl(NetnsLab.Host host, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "ETCDCTL_API=3", ETCDCTL.toString(),
                "--endpoints=http://127.0.0.1:" + EtcdConfig.CLIENT_PORT));
        command.addAll(List.of(args));
        return lab.exec(host.namespace(), command.toArray(String[]::new));
    }

    /** What every member logged, for failure messages (the last {@code lines} lines each). */
    public String logs(int lines) {
        StringBuilder out = new StringBuilder();
        processes.forEach((h, p) -> {
            List<String> all = p.output().lines().toList();
            out.append("--- etcd on h").append(h.number()).append(" (pid ").append(p.pid()).append(p.isAlive() ? "" : ", exited")
                    .append(")\n").append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
        });
        return out.toString();
    }

    /** How many lines of every member's output so far contain {@code needle} (e.g. leader elections). */
    public long count(String needle) {
        return processes.values().stream().mapToLong(p -> p.output().lines().filter(l -> l.contains(needle)).count()).sum();
    }

    public boolean allAlive() {
        return processes.values().stream().allMatch(NetnsLab.Background::isAlive);
    }

    /** Kills every member by PID (SIGKILL, descendants too) and forgets them; data directories stay until close. */
    public void killAll() {
        processes.values().forEach(NetnsLab.Background::kill);
        processes.clear();
    }

    /** Kills every member and deletes the data directories. */
    @Override
    public void close() {
        killAll();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("EtcdMembers: cannot remove " + dir + ": " + e.getMessage());
        }
    }

}
