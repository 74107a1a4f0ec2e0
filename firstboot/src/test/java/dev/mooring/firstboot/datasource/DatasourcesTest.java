package dev.mooring.firstboot.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.firstboot.userdata.UserDataValidator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeds from the kernel command line, directories, vfat and iso9660 images (made with mkfs.vfat/mcopy, xorriso), /oem. */
class DatasourcesTest {

    static final String USER_DATA = "#cloud-config\nhostname: edge-1\n";
    static final String META_DATA = "instance-id: iid-1\n";

    @TempDir
    Path temp;
    final List<String> log = new ArrayList<>();

    private Datasources sources(Path root, String cmdline, Path seed) {
        return new Datasources(new Datasources.Options(root, Optional.of(cmdline), Optional.ofNullable(seed), Duration.ofSeconds(3)), log::add);
    }

    private Path seedDir() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("seed"));
        Files.writeString(dir.resolve("user-data"), USER_DATA);
        Files.writeString(dir.resolve("meta-data"), META_DATA);
        return dir;
    }

    @Test
    void readsTheKernelCommandLine() throws Exception {
        assertThat(KernelCommandLine.nocloudSeed("BOOT_IMAGE=/vmlinuz ro ds=nocloud;s=http://198.51.100.1/seed/ quiet"))
                .contains(URI.create("http://198.51.100.1/seed/"));
        assertThat(KernelCommandLine.nocloudSeed("ds=nocloud-net;seedfrom=file:///seed")).contains(URI.create("file:///seed/"));
        assertThat(KernelCommandLine.nocloudSeed("ro quiet ds=ec2")).isEmpty();
        assertThatThrownBy(() -> KernelCommandLine.nocloudSeed("ds=nocloud;s=ftp://x/")).hasMessageContaining("file://, http:// or https://");
    }

    @Test
    void aFileUrlOnTheCommandLineIsReadInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Path seed = Files.createDirectories(root.resolve("seed"));
        Files.writeString(seed.resolve("user-data"), USER_DATA);
        Files.writeString(seed.resolve("meta-data"), META_DATA);
        Seed found = sources(root, "ro ds=nocloud;s=file:///seed/", null).primary().orElseThrow();
        assertThat(found.datasource()).isEqualTo("cmdline");
        assertThat(new String(found.file("user-data").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo(USER_DATA);
        assertThat(found.file("network-config")).isEmpty();
    }

    @Test
    void anHttpSeedIsRetriedWhileTheServerIsNotReady() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/seed/", x -> {
            try (x) {
                String name = x.getRequestURI().getPath().substring("/seed/".length());
                byte[] body = switch (name) {
                    case "user-data" -> USER_DATA.getBytes(StandardCharsets.UTF_8);
                    case "meta-data" -> META_DATA.getBytes(StandardCharsets.UTF_8);
                    default -> null;
                };
                int status = calls.getAndIncrement() == 0 ? 503 : body == null ? 404 : 200;
                x.sendResponseHeaders(status, status == 200 ? body.length : -1);
                if (status == 200) {
                    x.getResponseBody().write(body);
                }
            }
        });
        server.start();
        try {
            Seed found = sources(temp, "ds=nocloud;s=http://127.0.0.1:" + server.getAddress().getPort() + "/seed/", null).primary().orElseThrow();
            assertThat(found.file("meta-data").map(String::new)).contains(META_DATA);
            assertThat(found.file("network-config")).isEmpty();
            assertThat(log).anyMatch(l -> l.contains("waiting for the seed") && l.contains("503"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aVfatSeedImageIsReadWithMtools() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mkfs.vfat")) && Files.isExecutable(Path.of("/usr/bin/mcopy")),
                "needs dosfstools and mtools (firstboot/packages.txt)");
        Path dir = seedDir();
        Path image = temp.resolve("seed.img");
        exec("truncate", "-s", "2M", image.toString());
        exec("mkfs.vfat", "-n", "CIDATA", image.toString());
        exec("mcopy", "-i", image.toString(), dir.resolve("user-data").toString(), dir.resolve("meta-data").toString(), "::");
        Seed found = sources(temp, "", image).primary().orElseThrow();
        assertThat(found.location()).endsWith("(vfat)");
        assertThat(found.file("user-data").map(String::new)).contains(USER_DATA);
        assertThat(found.file("meta-data").map(String::new)).contains(META_DATA);
        assertThat(found.file("network-config")).isEmpty();
    }

    @Test
    void anIso9660SeedImageIsReadWithXorriso() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/xorriso")), "needs xorriso (firstboot/packages.txt)");
        Path dir = seedDir();
        Path image = temp.resolve("seed.iso");
        exec("xorriso", "-as", "mkisofs", "-quiet", "-V", "CIDATA", "-J", "-r", "-o", image.toString(), dir.toString());
        Seed found = sources(temp, "", image).primary().orElseThrow();
        assertThat(found.location()).endsWith("(iso9660)");
        assertThat(found.file("user-data").map(String::new)).contains(USER_DATA);
    }

    @Test
    void aSeedWithoutUserDataIsAClearError() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("empty"));
        assertThatThrownBy(() -> sources(temp, "", dir).primary()).isInstanceOf(DatasourceException.class)
                .hasMessageContaining("has no user-data file");
        Path junk = Files.writeString(temp.resolve("junk.img"), "not a filesystem");
        assertThatThrownBy(() -> sources(temp, "", junk).primary()).hasMessageContaining("neither a directory nor a vfat or iso9660");
    }

    @Test
    void oemFilesMergeInNameOrderLaterKeysWinMappingsMergeListsReplace() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Path oem = Files.createDirectories(root.resolve("oem"));
        Files.writeString(oem.resolve("10-base.yaml"), """
                #cloud-config
                hostname: base
                runcmd: [echo base]
                mooring:
                  cluster: {name: store-1, role: worker}
                  overlay: {cidr: 100.64.192.0/23, key: q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=}
                """);
        Files.writeString(oem.resolve("20-site.yaml"), """
                #cloud-config
                hostname: site-7
                runcmd: [echo site]
                mooring:
                  cluster: {name: store-7}
                write_files:
                  - path: /etc/x
                    content: "x"
                    permissions: '0600'
                """);
        Files.writeString(oem.resolve("README"), "not yaml, not read");
        Seed seed = sources(root, "", null).oem().orElseThrow();
        String merged = new String(seed.file("user-data").orElseThrow(), StandardCharsets.UTF_8);
        var v = UserDataValidator.standard().validate("/oem (merged)", merged);
        assertThat(v.errors()).isEmpty();
        var config = v.userData().orElseThrow().ofKind(dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart.class).getFirst().config();
        assertThat(config.hostname()).contains("site-7");
        assertThat(config.runcmd()).hasSize(1).first().hasToString("Shell[line=echo site]");
        assertThat(config.mooring().orElseThrow().cluster().orElseThrow().name()).isEqualTo("store-7");
        assertThat(config.mooring().orElseThrow().overlay()).isPresent();
        assertThat(config.writeFiles().getFirst().permissions()).isEqualTo(0600);
        assertThat(seed.files()).containsKeys("oem/10-base.yaml", "oem/20-site.yaml").doesNotContainKey("oem/README");
        assertThat(new String(seed.file("meta-data").orElseThrow(), StandardCharsets.UTF_8)).startsWith("instance-id: oem-");
    }

    @Test
    void metaDataNeedsAnInstanceId() {
        Findings findings = new Findings(Source.file("seed"));
        assertThat(MetaDataParser.parse("seed/meta-data", "local-hostname: x\n".getBytes(StandardCharsets.UTF_8), findings)).isEmpty();
        assertThat(findings.sorted()).singleElement().satisfies(d -> {
            assertThat(d.location()).isEqualTo("seed/meta-data:1:1");
            assertThat(d.message()).contains("no instance-id");
        });
        Findings ok = new Findings(Source.file("seed"));
        assertThat(MetaDataParser.parse("seed/meta-data", "instance-id: iid-9\nlocal-hostname: edge-9\n".getBytes(StandardCharsets.UTF_8), ok))
                .contains(new MetaData("iid-9", Optional.of("edge-9")));
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

}
