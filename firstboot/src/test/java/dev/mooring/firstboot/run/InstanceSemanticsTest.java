package dev.mooring.firstboot.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.testing.DebianRoot;
import dev.mooring.firstboot.testing.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bootcmd every boot, runcmd once per instance id; later boots use the cached seed when the medium is gone. */
class InstanceSemanticsTest {

    static final String USER_DATA = """
            #cloud-config
            hostname: edge-3
            users: []
            bootcmd:
              - echo bootcmd >> var/log/commands.log
            runcmd:
              - echo runcmd >> var/log/commands.log
            """;

    @TempDir
    Path temp;
    Path root;

    @BeforeEach
    void fixture() throws Exception {
        assumeTrue(DebianRoot.isRoot(), "needs root (owners of the Debian fixture)");
        root = DebianRoot.create(Files.createDirectory(temp.resolve("root")));
        Files.createDirectories(root.resolve("var/log"));
    }

    private FirstbootStatus boot(Optional<Path> seed, String bootId) throws Exception {
        return new FirstbootRun(Runs.options(root, new DirectoryRoot(root), seed, Optional.of(Runs.shellIn(root)), bootId), l -> { }).run();
    }

    private String log() throws Exception {
        return Files.readString(root.resolve("var/log/commands.log"));
    }

    @Test
    void bootcmdRunsEveryBootRuncmdOncePerInstance() throws Exception {
        Path seed = Runs.seed(temp.resolve("seed"), USER_DATA, "iid-a", Optional.empty());
        assertThat(boot(Optional.of(seed), "boot-1").newInstance()).isTrue();
        assertThat(log()).isEqualTo("bootcmd\nruncmd\n");

        boot(Optional.of(seed), "boot-1"); // the unit started again in the same boot
        assertThat(log()).isEqualTo("bootcmd\nruncmd\n");

        FirstbootStatus secondBoot = boot(Optional.empty(), "boot-2"); // the CIDATA stick was removed
        assertThat(secondBoot.state()).isEqualTo(FirstbootStatus.State.OK);
        assertThat(secondBoot.datasource()).contains("cache");
        assertThat(secondBoot.newInstance()).isFalse();
        assertThat(log()).isEqualTo("bootcmd\nruncmd\nbootcmd\n");

        Path reinstalled = Runs.seed(temp.resolve("seed2"), USER_DATA, "iid-b", Optional.empty());
        assertThat(boot(Optional.of(reinstalled), "boot-3").newInstance()).isTrue();
        assertThat(log()).isEqualTo("bootcmd\nruncmd\nbootcmd\nbootcmd\nruncmd\n");
        assertThat(Files.readString(root.resolve("var/lib/mooring/firstboot/instance-id"))).isEqualTo("iid-b\n");
    }

    @Test
    void anUnreachableHttpSeedOnALaterBootFallsBackToTheInstancesCache() throws Exception {
        Path seed = Runs.seed(temp.resolve("seed"), USER_DATA, "iid-a", Optional.empty());
        boot(Optional.of(seed), "boot-1");
        int port;
        try (var probe = new dev.mooring.firstboot.testing.TestHub(0)) {
            port = probe.url().getPort();
        }
        FirstbootRun.Options o = Runs.options(root, new DirectoryRoot(root), Optional.empty(), Optional.of(Runs.shellIn(root)), "boot-2");
        FirstbootRun.Options early = new FirstbootRun.Options(o.root(), o.files(), Optional.of("ro ds=nocloud;s=http://127.0.0.1:" + port + "/"),
                o.seed(), o.commands(), o.mediaWait(), java.time.Duration.ZERO, o.bootId(), o.clock(), o.registration());
        java.util.List<String> log = new java.util.ArrayList<>();
        FirstbootStatus status = new FirstbootRun(early, log::add).run();
        assertThat(status.state()).isEqualTo(FirstbootStatus.State.OK);
        assertThat(status.datasource()).contains("cache");
        assertThat(log).anyMatch(l -> l.contains("using the cached seed"));
        assertThat(log()).isEqualTo("bootcmd\nruncmd\nbootcmd\n");
    }

    @Test
    void changedUserDataUnderTheSameInstanceIdIsNotAppliedAndSaysWhy() throws Exception {
        Path seed = Runs.seed(temp.resolve("seed"), USER_DATA, "iid-a", Optional.empty());
        boot(Optional.of(seed), "boot-1");
        Runs.seed(temp.resolve("seed"), USER_DATA.replace("edge-3", "edge-4"), "iid-a", Optional.empty());
        FirstbootStatus again = boot(Optional.of(seed), "boot-2");
        assertThat(Files.readString(root.resolve("etc/hostname"))).isEqualTo("edge-3\n");
        assertThat(again.notes()).anyMatch(n -> n.contains("change instance-id"));
    }
}
