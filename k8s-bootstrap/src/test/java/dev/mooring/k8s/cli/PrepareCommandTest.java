package dev.mooring.k8s.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.k8s.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mooring k8s prepare} end to end on a temporary root: files, re-runs, waits and errors. */
class PrepareCommandTest {

    @TempDir
    Path root;

    private final List<Path> reloads = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void clusterFile() throws Exception {
        Files.createDirectories(root.resolve("etc/mooring"));
        Files.writeString(root.resolve("etc/mooring/cluster.yaml"), """
                version: 1
                cluster: store-0042
                host: h2
                role: control-plane
                kubernetes: {distribution: etcd, control-plane-count: 3}
                """);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new K8sCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == K8sCommand.Prepare.class) {
                    return type.cast(new K8sCommand.Prepare(r -> () -> {
                        reloads.add(r);
                        return "reloaded (test)";
                    }));
                }
                return CommandLine.defaultFactory().create(type);
            }
        });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("prepare", "--root", root.toString()));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    private void status(String state, List<String> others) throws Exception {
        Fixtures.status("h2", state, others).write(root.resolve("run/mooring/overlay.json"));
    }

    @Test
    void writesEtcdsConfigurationThenARerunChangesNothing() throws Exception {
        status("ready", List.of("h1", "h3", "h4"));
        assertThat(run("--timeout", "5s")).as(err.toString()).isZero();
        Path env = root.resolve("etc/default/etcd");
        assertThat(Files.readString(env)).contains("ETCD_NAME=\"h2\"", "ETCD_LISTEN_PEER_URLS=\"http://100.64.192.12:2380\"",
                "ETCD_INITIAL_CLUSTER=\"h1=http://100.64.192.11:2380,h2=http://100.64.192.12:2380,h3=http://100.64.192.13:2380\"",
                "ETCD_INITIAL_CLUSTER_STATE=\"new\"");
        assertThat(out.toString()).contains("created /etc/default/etcd", "created /etc/systemd/system/etcd.service.d/10-mooring.conf",
                "created /etc/systemd/system/multi-user.target.wants/etcd.service", "reloaded (test)");
        assertThat(reloads).hasSize(1);

        FileTime past = FileTime.fromMillis(1_000_000_000_000L);
        List<Path> written = files();
        for (Path p : written) {
            Files.setLastModifiedTime(p, past);
        }
        out.getBuffer().setLength(0);
        assertThat(run("--timeout", "5s")).as(err.toString()).isZero();
        assertThat(out.toString()).doesNotContain("created", "updated").contains("unchanged /etc/default/etcd");
        for (Path p : written) {
            assertThat(Files.getLastModifiedTime(p)).as(p.toString()).isEqualTo(past);
        }
        assertThat(reloads).as("no reload when no unit changed").hasSize(1);
    }

    @Test
    void aMemberAlreadyInTheDataDirectoryRejoinsAsExisting() throws Exception {
        status("ready", List.of("h1", "h3"));
        Files.createDirectories(root.resolve("var/lib/etcd/default/member/wal"));
        assertThat(run()).as(err.toString()).isZero();
        assertThat(Files.readString(root.resolve("etc/default/etcd"))).contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
    }

    @Test
    void waitsForTheOverlayAndNamesTheFileAndTheStateSeen() throws Exception {
        status("degraded", List.of("h1", "h3"));
        assertThat(run("--timeout", "600ms")).isEqualTo(K8sCommand.NOT_READY);
        assertThat(err.toString()).contains(root.resolve("run/mooring/overlay.json").toString(), "the overlay is 'degraded', not 'ready'",
                "within 600ms", "nothing was written");
        assertThat(Files.exists(root.resolve("etc/default/etcd"))).isFalse();
    }

    @Test
    void aMissingStatusFileIsWaitedForAndSaidSo() {
        assertThat(run("--timeout", "300ms")).isEqualTo(K8sCommand.NOT_READY);
        assertThat(err.toString()).contains("overlay.json: the file does not exist");
    }

    @Test
    void waitsUntilControlPlaneCountHostsAreKnown() throws Exception {
        status("ready", List.of("h1"));
        CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() -> run("--timeout", "20s"));
        Thread.sleep(500);
        assertThat(result).isNotDone();
        status("ready", List.of("h1", "h3"));
        assertThat(result.get()).as(err.toString()).isZero();
        assertThat(Files.readString(root.resolve("etc/default/etcd"))).contains("h3=http://100.64.192.13:2380");
    }

    @Test
    void tooFewControlPlaneHostsAtTheTimeoutSayHowManyAreKnown() throws Exception {
        status("ready", List.of("h1", "h4"));
        assertThat(run("--timeout", "300ms")).isEqualTo(K8sCommand.NOT_READY);
        assertThat(err.toString()).contains("needs 3 control-plane hosts and the overlay knows 2");
    }

    @Test
    void anInvalidClusterFileIsExitOneAndWritesNothing() throws Exception {
        status("ready", List.of("h1", "h3"));
        Files.writeString(root.resolve("etc/mooring/cluster.yaml"), "version: 1\ncluster: c\nhost: h2\nrole: boss\nkubernetes: {distribution: k3s}\n");
        assertThat(run()).isEqualTo(K8sCommand.INVALID);
        assertThat(err.toString()).contains("cluster.yaml:4:7: role: expected control-plane or worker, got 'boss'", "nothing was written");
        assertThat(files()).isEmpty();
    }

    @Test
    void aRoleThatDisagreesWithTheOverlayIsRefused() throws Exception {
        status("ready", List.of("h1", "h3"));
        Files.writeString(root.resolve("etc/mooring/cluster.yaml"),
                "version: 1\ncluster: c\nhost: h2\nrole: worker\nkubernetes: {distribution: k3s, token: t}\n");
        assertThat(run()).isEqualTo(K8sCommand.INVALID);
        assertThat(err.toString()).contains("says role worker but the overlay runs as control-plane");
        assertThat(files()).isEmpty();
    }

    @Test
    void aMissingClusterFileSaysWhoWritesIt() throws Exception {
        Files.delete(root.resolve("etc/mooring/cluster.yaml"));
        assertThat(run()).isEqualTo(K8sCommand.INVALID);
        assertThat(err.toString()).contains("cluster.yaml does not exist; first boot writes it");
    }

    @Test
    void aBadTimeoutIsAUsageError() {
        assertThat(run("--timeout", "soon")).isEqualTo(K8sCommand.USAGE);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void aStatusFileOfAnotherVersionIsReported() throws Exception {
        Files.createDirectories(root.resolve("run/mooring"));
        Files.writeString(root.resolve("run/mooring/overlay.json"), "{\"version\": 1, \"state\": \"ready\"}");
        assertThat(run()).isEqualTo(K8sCommand.FAILED);
        assertThat(err.toString()).contains("is a version 1 status file");
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p) && !p.startsWith(root.resolve("etc/mooring")) && !p.startsWith(root.resolve("run")))
                    .toList();
        }
    }

}
