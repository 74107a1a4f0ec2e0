package dev.mooring.firstboot.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.firstboot.apply.CommandRunner;
import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.apply.StepResult;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import dev.mooring.firstboot.testing.TestHub;
import dev.mooring.overlay.config.OverlayConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image builder's cached Debian root filesystem (/var/cache/mooring/images/rootfs-*.tar, when
 * it exists): first boot applies the control-plane user-data with {@code --run-commands}, and the
 * image's own tools, run inside it with chroot, check the result: {@code pwck}/{@code grpck} accept
 * the account files, {@code getent} sees the new user. Its empty /etc/machine-id (systemd fills it
 * at the first real boot) keeps registration pending until a machine id exists.
 */
class CachedImageRootTest {

    static final Path CACHE = Path.of("/var/cache/mooring/images");

    @TempDir
    Path temp;

    @Test
    void appliesToTheImageRootAndItsOwnToolsAgree() throws Exception {
        assumeTrue(DebianRoot.isRoot(), "needs root: unpacking a root filesystem with its owners, chroot");
        Optional<Path> tar = cachedRootfs();
        assumeTrue(tar.isPresent(), "no cached rootfs in " + CACHE + " (mooring image build writes one)");
        Path root = Files.createDirectory(temp.resolve("root"));
        exec("tar", "-xf", tar.get().toString(), "-C", root.toString());

        try (TestHub hub = new TestHub(0)) {
            String userData = Runs.controlPlane(hub.url().toString())
                    .replaceAll("(?s)bootcmd:.*?\nntp:", """
                            bootcmd:
                              - [sh, -c, "echo boot >> /root/boots"]
                            runcmd:
                              - getent passwd ops > /root/getent-ops
                              - pwck -qr
                              - grpck -r
                              - [sh, -c, "stat -c '%U:%G %a' /home/ops/.ssh/authorized_keys > /root/keys-owner"]
                            ntp:""");
            Path seed = Runs.seed(temp.resolve("seed"), userData, "iid-image-1", Optional.of(Runs.example("network-config")));
            Optional<CommandRunner> chroot = Optional.of(CommandRunner.processes(List.of("chroot", root.toString()), root));

            FirstbootStatus first = Runs.run(root, new DirectoryRoot(root), seed, chroot, "boot-1");
            assertThat(first.errors()).isEmpty();
            assertThat(first.steps()).filteredOn(s -> s.module().startsWith("runcmd"))
                    .hasSize(4).allSatisfy(s -> assertThat(s.outcome()).as(s.detail()).isEqualTo(StepResult.Outcome.APPLIED));
            assertThat(first.state()).isEqualTo(FirstbootStatus.State.PENDING_REGISTRATION);
            assertThat(first.registration().lastError().orElseThrow()).contains("machine-id");
            assertThat(hub.requests()).isEmpty();
            assertThat(Files.readString(root.resolve("root/getent-ops"))).startsWith("ops:x:").contains(":Site Operations:/home/ops:/bin/bash");
            assertThat(Files.readString(root.resolve("root/keys-owner"))).isEqualTo("ops:ops 600\n");
            assertThat(Files.readString(root.resolve("root/boots"))).isEqualTo("boot\n");
            // The overlay does not wait for the hub: the user-data has the key.
            assertThat(OverlayConfigLoader.load(root.resolve("etc/mooring/overlay.yaml")).overlay().key()).isPresent();

            Files.writeString(root.resolve("etc/machine-id"), "fedcba9876543210fedcba9876543210\n");
            FirstbootStatus second = Runs.run(root, new DirectoryRoot(root), seed, chroot, "boot-2");
            assertThat(second.state()).isEqualTo(FirstbootStatus.State.OK);
            assertThat(second.registration().state()).isEqualTo("registered");
            assertThat(hub.requests()).singleElement().satisfies(r -> assertThat(r.path("machineId").asText()).isEqualTo("fedcba9876543210fedcba9876543210"));
            assertThat(Files.readString(root.resolve("root/boots"))).isEqualTo("boot\nboot\n");
            assertThat(second.steps()).filteredOn(s -> s.module().startsWith("runcmd")).allMatch(s -> s.outcome() == StepResult.Outcome.DONE_EARLIER);
        }
    }

    private static Optional<Path> cachedRootfs() throws IOException {
        if (!Files.isDirectory(CACHE)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(CACHE)) {
            return files.filter(p -> p.getFileName().toString().matches("rootfs-.*\\.tar")).sorted().findFirst();
        }
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
