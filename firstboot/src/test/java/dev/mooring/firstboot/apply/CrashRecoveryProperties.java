package dev.mooring.firstboot.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.firstboot.run.FirstbootStatus;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash safety: a run cut off at any change of the root (before or after it), then run again,
 * leaves the same root as an uninterrupted run; a command whose done-marker was written never runs
 * again. Commands append a line to a log inside the root, so every execution is counted.
 */
class CrashRecoveryProperties {

    /** Users, groups, keys, sudo, write_files (append, defer, owner), hostname, timezone, ntp, network, the mooring files, commands. */
    static final String USER_DATA = """
            #cloud-config
            hostname: edge-7
            fqdn: edge-7.example.com
            timezone: Europe/Berlin
            users:
              - default
              - name: ops
                groups: [adm, edge]
                shell: /bin/bash
                sudo: "ALL=(ALL) NOPASSWD:ALL"
                ssh_authorized_keys:
                  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb9rRk2yN8pDt1sJ9Y4cF5bYV0u2cFq9S4e0b6QpL1a ops@example.com
            groups:
              - edge: [ops]
            ssh_authorized_keys:
              - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb9rRk2yN8pDt1sJ9Y4cF5bYV0u2cFq9S4e0b6QpL1b admin@example.com
            write_files:
              - path: /etc/edge/notes.txt
                content: "one\\n"
                append: true
              - path: /etc/edge/notes.txt
                content: "two\\n"
                append: true
              - path: /var/lib/edge/site.env
                content: "SITE=7\\n"
                owner: ops:ops
                permissions: '0640'
                defer: true
            bootcmd:
              - echo bootcmd >> var/log/commands.log
            runcmd:
              - echo runcmd-0 >> var/log/commands.log
              - [sh, -c, "echo runcmd-1 >> var/log/commands.log"]
              - echo runcmd-2 >> var/log/commands.log
            ntp:
              servers: [198.51.100.123]
            mooring:
              cluster:
                name: store-7
                role: control-plane
                bootstrap: true
              overlay:
                cidr: 100.64.192.0/23
                key: q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=
              kubernetes:
                distribution: k3s
            """;
    static final String NETWORK = """
            network:
              version: 2
              ethernets:
                uplink:
                  match: {macaddress: "52:54:00:12:34:56"}
                  set-name: uplink0
                  dhcp4: true
            """;

    /** The journal and the status differ by design (logs, markers, times); the command log is checked on its own. */
    static final Predicate<String> COMPARED = p -> !p.startsWith("/var/lib/mooring/firstboot") && !p.startsWith("/run/mooring")
            && !p.equals("/var/log/commands.log");

    @TempDir
    static Path shared;
    static Map<String, String> uninterrupted;
    static String uninterruptedLog;
    static int totalChanges;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        if (!DebianRoot.isRoot()) {
            return;
        }
        Path root = fresh(shared.resolve("reference"));
        CrashingRoot counting = new CrashingRoot(new DirectoryRoot(root), Integer.MAX_VALUE, false);
        FirstbootStatus status = Runs.run(root, counting, seed(shared), Optional.of(Runs.shellIn(root)), "boot-1");
        assertThat(status.errors()).isEmpty();
        assertThat(status.state()).isEqualTo(FirstbootStatus.State.OK);
        uninterrupted = DebianRoot.snapshot(root, COMPARED);
        uninterruptedLog = Files.readString(root.resolve("var/log/commands.log"));
        totalChanges = counting.changes();
    }

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 40).boxed();
    }

    @Test
    void theReferenceRunRanEveryCommandOnce() {
        assumeTrue(DebianRoot.isRoot(), "needs root (owners of the Debian fixture)");
        assertThat(uninterruptedLog).isEqualTo("bootcmd\nruncmd-0\nruncmd-1\nruncmd-2\n");
        assertThat(uninterrupted).containsKeys("/etc/mooring/overlay.yaml", "/home/ops/.ssh/authorized_keys", "/etc/edge/notes.txt");
        assertThat(totalChanges).isGreaterThan(30);
    }

    /** Every change index, cut before and after the change. */
    @ParameterizedTest
    @MethodSource("everyChange")
    void aCutAtAnyChangeConvergesToTheUninterruptedRoot(int crashAt, boolean after, @TempDir Path temp) throws IOException {
        assumeTrue(DebianRoot.isRoot(), "needs root (owners of the Debian fixture)");
        crashAndRecover(temp, List.of(crashAt), after);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> everyChange() {
        int changes = DebianRoot.isRoot() ? totalChangesForSource() : 0;
        return IntStream.range(0, changes).boxed()
                .flatMap(i -> Stream.of(org.junit.jupiter.params.provider.Arguments.of(i, false), org.junit.jupiter.params.provider.Arguments.of(i, true)));
    }

    /** Several cuts in a row at random points (each run after a cut may be cut again). */
    @ParameterizedTest
    @MethodSource("seeds")
    void repeatedRandomCutsConverge(long seed, @TempDir Path temp) throws IOException {
        assumeTrue(DebianRoot.isRoot(), "needs root (owners of the Debian fixture)");
        Random random = new Random(seed);
        int cuts = 1 + random.nextInt(4);
        List<Integer> at = IntStream.range(0, cuts).mapToObj(i -> random.nextInt(Math.max(1, totalChanges / 2))).toList();
        crashAndRecover(temp, at, random.nextBoolean());
    }

    private void crashAndRecover(Path temp, List<Integer> cuts, boolean after) throws IOException {
        Path root = fresh(temp.resolve("root"));
        Path seed = seed(temp);
        Map<String, Integer> ranBefore = new HashMap<>();
        for (int cut : cuts) {
            CrashingRoot crashing = new CrashingRoot(new DirectoryRoot(root), cut, after);
            try {
                Runs.run(root, crashing, seed, Optional.of(Runs.shellIn(root)), "boot-1");
            } catch (CrashingRoot.PowerCut expected) {
                // The power came back.
            }
            // What is marked done now must never run again.
            for (String command : List.of("bootcmd", "runcmd-0", "runcmd-1", "runcmd-2")) {
                if (markedDone(root, command)) {
                    ranBefore.putIfAbsent(command, count(root, command));
                }
            }
        }
        FirstbootStatus status = Runs.run(root, new DirectoryRoot(root), seed, Optional.of(Runs.shellIn(root)), "boot-1");
        assertThat(status.errors()).as("cuts at %s (after=%s)", cuts, after).isEmpty();
        assertThat(DebianRoot.snapshot(root, COMPARED)).as("cuts at %s (after=%s)", cuts, after).isEqualTo(uninterrupted);
        for (var done : ranBefore.entrySet()) {
            assertThat(count(root, done.getKey())).as("%s was marked done, then ran again (cuts %s)", done.getKey(), cuts)
                    .isEqualTo(done.getValue());
        }
        for (String command : List.of("bootcmd", "runcmd-0", "runcmd-1", "runcmd-2")) {
            // At least once; twice only when the cut fell between its exit and its marker.
            assertThat(count(root, command)).as(command).isBetween(1, 2);
        }
    }

    private static boolean markedDone(Path root, String command) throws IOException {
        String id = command.equals("bootcmd") ? "bootcmd[0]" : "runcmd[" + command.substring(7) + "]";
        Path instance = root.resolve("var/lib/mooring/firstboot/instances/iid-crash");
        Path marker = command.equals("bootcmd") ? instance.resolve("boots/boot-1/done").resolve(id) : instance.resolve("done").resolve(id);
        return Files.exists(marker);
    }

    private static int count(Path root, String command) throws IOException {
        Path log = root.resolve("var/log/commands.log");
        return Files.exists(log) ? (int) Files.readAllLines(log).stream().filter(command::equals).count() : 0;
    }

    private static Path fresh(Path root) throws IOException {
        DebianRoot.create(Files.createDirectories(root));
        Files.createDirectories(root.resolve("var/log"));
        return root;
    }

    private static Path seed(Path dir) throws IOException {
        return Runs.seed(dir.resolve("seed"), USER_DATA, "iid-crash", Optional.of(NETWORK));
    }

    /** The number of changes of an uninterrupted run, for the parameter source (which runs before @BeforeAll). */
    private static int totalChangesForSource() {
        try {
            Path dir = Files.createTempDirectory("mooring-crash-count");
            try {
                Path root = fresh(dir.resolve("root"));
                CrashingRoot counting = new CrashingRoot(new DirectoryRoot(root), Integer.MAX_VALUE, false);
                Runs.run(root, counting, seed(dir), Optional.of(Runs.shellIn(root)), "boot-1");
                return counting.changes();
            } finally {
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void thePowerCutIsNotSwallowed(@TempDir Path temp) throws IOException {
        assumeTrue(DebianRoot.isRoot(), "needs root (owners of the Debian fixture)");
        Path root = fresh(temp.resolve("root"));
        assertThatThrownBy(() -> Runs.run(root, new CrashingRoot(new DirectoryRoot(root), 5, false), seed(temp),
                Optional.of(Runs.shellIn(root)), "boot-1")).isInstanceOf(CrashingRoot.PowerCut.class);
    }
}
