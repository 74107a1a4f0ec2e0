package dev.mooring.image.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.image.spec.ImageSpec.Output;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** image.yaml: a valid spec with its defaults, and one mistake per case reported at its line and column. */
class ImageSpecParserTest {

    @TempDir
    Path dir;

    static final String USER_DATA = "#cloud-config\ntimezone: Etc/UTC\n";

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("user-data.yaml"), USER_DATA);
        Files.writeString(dir.resolve("bad-user-data.yaml"), "#cloud-config\nhostnme: x\n");
        Files.writeString(dir.resolve("k3s"), "binary");
    }

    ImageSpecParser.Result parse(String text) {
        Path file = dir.resolve("image.yaml");
        return new ImageSpecParser(Map.of()).parse(file, text, new Findings(Source.file(file.toString())));
    }

    @Test
    void minimalSpecGetsTheDefaults() {
        ImageSpecParser.Result r = parse("name: edge\nuser-data: user-data.yaml\n");
        assertThat(r.errors()).isEmpty();
        ImageSpec spec = r.spec().orElseThrow();
        assertThat(spec.name()).isEqualTo("edge");
        assertThat(spec.base().suite()).isEqualTo("bookworm");
        assertThat(spec.base().mirror()).isEqualTo(ImageSpecParser.DEFAULT_MIRROR);
        assertThat(spec.kernel().packageName()).isEqualTo("linux-image-amd64");
        assertThat(spec.kernel().cmdline()).contains("console=ttyS0");
        assertThat(spec.kubernetes().etcd()).isTrue();
        assertThat(spec.outputs()).containsExactly(Output.RAW);
        assertThat(spec.diskSize()).isEmpty();
        assertThat(spec.sourceDateEpoch()).isEqualTo(ImageSpecParser.DEFAULT_SOURCE_DATE_EPOCH);
        assertThat(spec.userData()).isEqualTo(dir.resolve("user-data.yaml"));
    }

    @Test
    void fullSpec() {
        ImageSpecParser.Result r = parse("""
                name: edge
                version: 1.2.3
                source-date-epoch: 1767225600
                base:
                  suite: trixie
                  mirror: http://mirror.example/debian
                  packages: [openssh-server, jq=1.6-2.1]
                kernel:
                  package: linux-image-cloud-amd64
                  cmdline: console=ttyS0 quiet
                  modules: [virtio_blk]
                  omit-modules: [sound, drivers/gpu]
                kubernetes:
                  etcd: false
                  k3s: k3s
                user-data: user-data.yaml
                outputs: [raw, iso, qcow2]
                disk-size: 3GiB
                """);
        assertThat(r.errors()).isEmpty();
        ImageSpec spec = r.spec().orElseThrow();
        assertThat(spec.version()).isEqualTo("1.2.3");
        assertThat(spec.base().packages()).containsExactly("openssh-server", "jq=1.6-2.1");
        assertThat(spec.kernel().modules()).containsExactly("virtio_blk");
        assertThat(spec.kubernetes().etcd()).isFalse();
        assertThat(spec.kubernetes().k3s()).contains(dir.resolve("k3s"));
        assertThat(spec.outputs()).containsExactlyInAnyOrder(Output.RAW, Output.ISO, Output.QCOW2);
        assertThat(spec.diskSize()).contains(3L << 30);
    }

    @Test
    void sourceDateEpochFromTheEnvironmentWhenTheSpecHasNone() {
        Path file = dir.resolve("image.yaml");
        ImageSpecParser.Result r = new ImageSpecParser(Map.of("SOURCE_DATE_EPOCH", "1800000000"))
                .parse(file, "name: edge\nuser-data: user-data.yaml\n", new Findings(Source.file(file.toString())));
        assertThat(r.spec().orElseThrow().sourceDateEpoch()).isEqualTo(1800000000L);
    }

    record Case(String name, String text, int line, int column, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> mistakes() {
        String ud = "user-data: user-data.yaml\n";
        return Stream.of(
                new Case("yaml syntax", "name: edge\n  bad: [\n", 2, 6, "YAML syntax"),
                new Case("not a mapping", "- a\n- b\n", 1, 1, "must be a mapping"),
                new Case("missing name", ud, 1, 1, "has no name"),
                new Case("bad name", "name: Edge Image\n" + ud, 1, 7, "not a file-name-safe word"),
                new Case("typo in a key", "name: edge\n" + ud + "outptus: [raw]\n", 3, 1, "unknown key 'outptus' in the image spec"),
                new Case("unknown output", "name: edge\n" + ud + "outputs: [raw, vmdk]\n", 3, 16, "'vmdk' is not an output"),
                new Case("bad disk size", "name: edge\n" + ud + "disk-size: lots\n", 3, 12, "is not a size"),
                new Case("tiny disk size", "name: edge\n" + ud + "disk-size: 10MiB\n", 3, 12, "smaller than 64 MiB"),
                new Case("bad package", "name: edge\n" + ud + "base:\n  packages: [ok, 'Not A Package']\n", 4, 18, "is not a Debian package name"),
                new Case("rootfs and packages", "name: edge\n" + ud + "base:\n  rootfs: k3s\n  packages: [jq]\n", 4, 3, "cannot be combined"),
                new Case("missing user-data file", "name: edge\nuser-data: nope.yaml\n", 2, 12, "does not exist"),
                new Case("invalid user-data", "name: edge\nuser-data: bad-user-data.yaml\n", 2, 12, "is not valid"),
                new Case("root= in cmdline", "name: edge\n" + ud + "kernel:\n  cmdline: root=/dev/sda1 quiet\n", 4, 12, "without root="),
                new Case("epoch before FAT", "name: edge\n" + ud + "source-date-epoch: 5\n", 3, 20, "outside"),
                new Case("etcd not boolean", "name: edge\n" + ud + "kubernetes:\n  etcd: maybe\n", 4, 9, "must be a boolean"),
                new Case("missing k3s", "name: edge\n" + ud + "kubernetes:\n  k3s: /nonexistent/k3s\n", 4, 8, "does not exist"),
                new Case("duplicate key", "name: edge\nname: other\n" + ud, 2, 1, "duplicate key"));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void eachMistakeIsReportedWhereItIs(Case c) {
        ImageSpecParser.Result r = parse(c.text());
        assertThat(r.spec()).as("no spec from an invalid file").isEmpty();
        assertThat(r.errors()).as(c.name() + ": " + r.diagnostics()).anySatisfy(d -> {
            assertThat(d.message()).contains(c.message());
            assertThat(d.line()).isEqualTo(c.line());
            assertThat(d.column()).isEqualTo(c.column());
        });
        assertThat(r.diagnostics()).allSatisfy(d -> assertThat(d.hint()).isNotBlank());
        assertThat(r.errors().getFirst().toString()).startsWith(dir.resolve("image.yaml") + ":");
    }

    @Test
    void aTypoGetsASuggestion() {
        ImageSpecParser.Result r = parse("name: edge\nuser-data: user-data.yaml\noutptus: [raw]\n");
        assertThat(r.errors()).singleElement().extracting(Diagnostic::hint).isEqualTo("did you mean 'outputs'?");
    }

    @Test
    void aMissingSpecFileIsAFileError() {
        ImageSpecParser.Result r = new ImageSpecParser(Map.of()).parse(dir.resolve("none.yaml"));
        assertThat(r.errors()).singleElement().extracting(Diagnostic::message).isEqualTo("no such file");
    }

    @Test
    void theDemoSpecIsValid() {
        Path demo = Path.of(System.getProperty("mooring.checkout", "..")).resolve("examples/edge/image.yaml");
        ImageSpecParser.Result r = new ImageSpecParser(Map.of()).parse(demo);
        assertThat(r.errors()).isEmpty();
        assertThat(r.spec().orElseThrow().outputs()).containsExactlyInAnyOrder(Output.RAW, Output.ISO, Output.QCOW2);
    }
}
