package dev.mooring.firstboot.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.mooring.firstboot.apply.Journal;
import dev.mooring.firstboot.testing.CuttableRoot;
import dev.mooring.firstboot.testing.CuttableRoot.Cut;
import dev.mooring.firstboot.testing.Runs;
import dev.mooring.firstboot.testing.TestHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The network-pending marker ({@link Journal#NETWORK_PENDING}): mooring-firstboot-network.service runs
 * only when it exists, so it must be there whenever a registration or an http(s) seed waits for the
 * network, also after a power cut at any point, and gone once nothing does. Runs as any user: the
 * root's files belong to whoever runs the test.
 */
class NetworkPendingTest {

    static final String MARKER = Journal.NETWORK_PENDING.substring(1);
    static final String MACHINE_ID = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path temp;
    Path root;

    static String userData(Optional<String> hubUrl) {
        return "#cloud-config\nhostname: edge-9\nusers: []\nmooring:\n"
                + hubUrl.map(u -> "  registration:\n    url: " + u + "\n    token: " + TestHub.TOKEN + "\n").orElse("")
                + "  overlay:\n    cidr: 100.64.192.0/23\n    key: " + TestHub.KEY + "\n";
    }

    @BeforeEach
    void fixture() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/machine-id"), MACHINE_ID + "\n");
    }

    private FirstbootStatus run(CuttableRoot files, Optional<Path> seed, String cmdline) {
        FirstbootRun.Options o = Runs.options(root, files, seed, Optional.empty(), "boot-1");
        FirstbootRun.Options options = new FirstbootRun.Options(o.root(), o.files(), Optional.of(cmdline), o.seed(), o.commands(),
                o.mediaWait(), Duration.ZERO, o.bootId(), o.clock(), o.registration());
        try {
            return new FirstbootRun(options, line -> { }).run();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private FirstbootStatus run(Path seed) throws IOException {
        return run(CuttableRoot.of(root), Optional.of(seed), "");
    }

    private boolean marker() {
        return Files.exists(root.resolve(MARKER));
    }

    private String markerText() throws IOException {
        return Files.readString(root.resolve(MARKER));
    }

    private boolean registered() throws IOException {
        Path state = root.resolve("var/lib/mooring/firstboot/instances/iid-np1/registration.json");
        return Files.exists(state) && Files.readString(state).contains("\"registered\"");
    }

    private boolean instanceBegun() {
        return Files.exists(root.resolve("var/lib/mooring/firstboot/instances/iid-np1/plan.json"));
    }

    /** A port where nothing listens: the hub or seed server "is not up yet". */
    private static int closedPort() throws IOException {
        try (TestHub probe = new TestHub(0)) {
            return probe.url().getPort();
        }
    }

    @Test
    void aPendingRegistrationLeavesTheMarkerAndTheRunThatRegistersRemovesIt() throws Exception {
        String down = "http://127.0.0.1:" + closedPort();
        FirstbootStatus pending = run(Runs.seed(temp.resolve("seed"), userData(Optional.of(down)), "iid-np1", Optional.empty()));
        assertThat(pending.state()).as(pending.errors().toString()).isEqualTo(FirstbootStatus.State.PENDING_REGISTRATION);
        assertThat(markerText()).isEqualTo("registration with " + down + "\n");
        assertThat(Files.getAttribute(root.resolve(MARKER).getParent(), "unix:mode")).matches(m -> ((Integer) m & 0777) == 0700);

        FirstbootStatus stillPending = run(temp.resolve("seed")); // the early unit on the next boot
        assertThat(stillPending.state()).isEqualTo(FirstbootStatus.State.PENDING_REGISTRATION);
        assertThat(marker()).isTrue();

        try (TestHub hub = new TestHub(0)) {
            Path moved = Runs.seed(temp.resolve("seed2"), userData(Optional.of(hub.url().toString())), "iid-np1", Optional.empty());
            FirstbootStatus registered = run(moved);
            assertThat(registered.state()).as(registered.errors().toString()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(registered.registration().state()).isEqualTo("registered");
            assertThat(marker()).isFalse();
            assertThat(root.resolve("var/lib/mooring/hub/credentials.json")).exists();

            CuttableRoot files = CuttableRoot.of(root);
            run(files, Optional.of(moved), "");
            assertThat(marker()).isFalse();
            assertThat(files.changes()).doesNotContain(Journal.NETWORK_PENDING);
            assertThat(hub.requests()).hasSize(1);
        }
    }

    @Test
    void noHubAndNoHttpSeedMeansNoMarkerAndAStaleOneIsRemoved() throws Exception {
        Path seed = Runs.seed(temp.resolve("seed"), userData(Optional.empty()), "iid-np1", Optional.empty());
        CuttableRoot files = CuttableRoot.of(root);
        FirstbootStatus ok = run(files, Optional.of(seed), "");
        assertThat(ok.state()).as(ok.errors().toString()).isEqualTo(FirstbootStatus.State.OK);
        assertThat(marker()).isFalse();
        assertThat(files.changes()).doesNotContain(Journal.NETWORK_PENDING);

        Files.writeString(root.resolve(MARKER), ""); // touched by hand to force the network unit once
        assertThat(run(seed).state()).isEqualTo(FirstbootStatus.State.OK);
        assertThat(marker()).isFalse();
    }

    @Test
    void invalidUserDataWritesNoMarker() throws Exception {
        Path seed = Runs.seed(temp.resolve("seed"), Runs.example("broken.yaml"), "iid-np1", Optional.empty());
        assertThat(run(seed).state()).isEqualTo(FirstbootStatus.State.FAILED);
        assertThat(root.resolve("var")).doesNotExist();
    }

    @Test
    void aRefusedRegistrationIsNoWaitForTheNetwork() throws Exception {
        try (TestHub hub = new TestHub(0)) {
            Path seed = Runs.seed(temp.resolve("seed"), userData(Optional.of(hub.url().toString())).replace(TestHub.TOKEN, "wrong"),
                    "iid-np1", Optional.empty());
            FirstbootStatus refused = run(seed);
            assertThat(refused.state()).isEqualTo(FirstbootStatus.State.FAILED);
            assertThat(refused.registration().state()).isEqualTo("failed");
            assertThat(marker()).isFalse();
        }
    }

    @Test
    void anHttpSeedThatCannotBeFetchedLeavesTheMarkerUntilARunFetchesIt() throws Exception {
        String down = "ds=nocloud;s=http://127.0.0.1:" + closedPort() + "/seed/";
        FirstbootStatus early = run(CuttableRoot.of(root), Optional.empty(), down);
        assertThat(early.state()).isEqualTo(FirstbootStatus.State.FAILED);
        assertThat(markerText()).startsWith("the kernel command line's seed http://127.0.0.1:").contains("not fetched yet");

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Map<String, String> files = Map.of("/seed/user-data", userData(Optional.empty()), "/seed/meta-data", "instance-id: iid-np1\n");
        server.createContext("/seed/", x -> {
            try (x) {
                String body = files.get(x.getRequestURI().getPath());
                byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
                x.getResponseBody().write(bytes);
            }
        });
        server.start();
        try {
            String up = "ds=nocloud;s=http://127.0.0.1:" + server.getAddress().getPort() + "/seed/";
            FirstbootStatus fetched = run(CuttableRoot.of(root), Optional.empty(), up);
            assertThat(fetched.state()).as(fetched.errors().toString()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(marker()).isFalse();

            // A later boot: the seed server is unreachable before the network is up; the cached instance is
            // applied, and the marker says the seed is still to be read (it may name a new instance).
            FirstbootStatus later = run(CuttableRoot.of(root), Optional.empty(), down);
            assertThat(later.state()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(later.datasource()).contains("cache");
            assertThat(marker()).isTrue();
            run(CuttableRoot.of(root), Optional.empty(), up);
            assertThat(marker()).isFalse();

            // A seed server that answers 404 waits for no network: the URL is wrong.
            FirstbootStatus wrongUrl = run(CuttableRoot.of(root), Optional.empty(), up.replace("/seed/", "/nothing/"));
            assertThat(wrongUrl.state()).isEqualTo(FirstbootStatus.State.OK); // the cached instance
            assertThat(marker()).isFalse();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPowerCutAfterTheMarkerBeforeRegistrationLeavesItForTheNextRun() throws Exception {
        String down = "http://127.0.0.1:" + closedPort();
        Path seed = Runs.seed(temp.resolve("seed"), userData(Optional.of(down)), "iid-np1", Optional.empty());
        CuttableRoot cut = new CuttableRoot(root, CuttableRoot.first((i, p) -> p.equals(Journal.NETWORK_PENDING), Cut.AFTER));
        assertThatThrownBy(() -> run(cut, Optional.of(seed), "")).isInstanceOf(CuttableRoot.PowerCut.class);
        assertThat(marker()).isTrue();
        assertThat(registered()).isFalse();
        assertThat(root.resolve("var/lib/mooring/firstboot/instance-id")).doesNotExist(); // the marker came before the instance

        FirstbootStatus next = run(seed);
        assertThat(next.state()).isEqualTo(FirstbootStatus.State.PENDING_REGISTRATION);
        assertThat(next.newInstance()).isTrue();
        assertThat(marker()).isTrue();
    }

    /** Every change of a first run that registers, cut before and after it. */
    static Stream<Arguments> everyChange() throws IOException {
        Path scratch = Files.createTempDirectory("network-pending-count");
        try {
            Path root = Files.createDirectory(scratch.resolve("root"));
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/machine-id"), MACHINE_ID + "\n");
            try (TestHub hub = new TestHub(0)) {
                Path seed = Runs.seed(scratch.resolve("seed"), userData(Optional.of(hub.url().toString())), "iid-np1", Optional.empty());
                CuttableRoot counting = CuttableRoot.of(root);
                FirstbootStatus status = new FirstbootRun(Runs.options(root, counting, seed, Optional.empty(), "boot-1"), l -> { }).run();
                assertThat(status.state()).isEqualTo(FirstbootStatus.State.OK);
                assertThat(counting.changes()).endsWith(FirstbootStatus.PATH);
                int n = counting.changes().size();
                return IntStream.range(0, n).boxed().flatMap(i -> Stream.of(Arguments.of(i, Cut.BEFORE), Arguments.of(i, Cut.AFTER)));
            }
        } finally {
            try (Stream<Path> walk = Files.walk(scratch)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A power cut at any change never leaves a begun, unregistered instance without the marker; the
     * next run (the network unit, or the next boot's early unit) then registers and removes it.
     */
    @ParameterizedTest
    @MethodSource("everyChange")
    void aCutAnywhereNeverLeavesPendingRegistrationWithoutTheMarker(int change, Cut where) throws Exception {
        try (TestHub hub = new TestHub(0)) {
            Path seed = Runs.seed(temp.resolve("seed"), userData(Optional.of(hub.url().toString())), "iid-np1", Optional.empty());
            CuttableRoot cut = new CuttableRoot(root, CuttableRoot.first((i, p) -> i == change, where));
            try {
                run(cut, Optional.of(seed), "");
            } catch (CuttableRoot.PowerCut expected) {
                // The run stopped where it was.
            }
            String at = "cut " + where + " change " + change + " of " + cut.changes();
            if (instanceBegun() && !registered()) {
                assertThat(marker()).as(at).isTrue();
            }
            FirstbootStatus recovered = run(seed);
            assertThat(recovered.state()).as(at + ": " + recovered.errors()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(registered()).as(at).isTrue();
            assertThat(marker()).as(at).isFalse();
        }
    }
}
