package dev.mooring.image.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.image.build.steps.RootFilesystem;
import dev.mooring.image.spec.ImageSpec;
import dev.mooring.image.spec.ImageSpec.Base;
import dev.mooring.image.spec.ImageSpec.Kernel;
import dev.mooring.image.spec.ImageSpec.Kubernetes;
import dev.mooring.image.spec.ImageSpec.Output;
import dev.mooring.image.spec.ImageSpecParser;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What makes builds reproducible without running one: the rootfs cache key and the derived identifiers. */
class BuildInputsTest {

    static ImageSpec spec(String name, String version, List<String> packages, String mirror, boolean etcd) {
        return new ImageSpec(Path.of("/x/image.yaml"), name, version, 1767225600L,
                new Base("bookworm", mirror, packages, Optional.empty()),
                new Kernel("linux-image-amd64", ImageSpecParser.DEFAULT_CMDLINE, ImageSpecParser.DEFAULT_MODULES,
                        ImageSpecParser.DEFAULT_OMIT_MODULES),
                Optional.empty(), new Kubernetes(etcd, Optional.empty(), Optional.empty()), Path.of("/x/user-data"),
                Set.of(Output.RAW), Optional.empty());
    }

    static final String M = ImageSpecParser.DEFAULT_MIRROR;

    @Test
    void theRootfsKeyDependsOnEveryInputThatShapesTheRootfs() {
        String key = RootFilesystem.key(spec("edge", "1", List.of("jq"), M, true), "mmdebstrap 1.3.5");
        assertThat(RootFilesystem.key(spec("edge", "1", List.of("jq"), M, true), "mmdebstrap 1.3.5")).isEqualTo(key);
        // The name and version shape the image, not the rootfs: the cache is shared.
        assertThat(RootFilesystem.key(spec("other", "2", List.of("jq"), M, true), "mmdebstrap 1.3.5")).isEqualTo(key);
        assertThat(RootFilesystem.key(spec("edge", "1", List.of("jq", "curl"), M, true), "mmdebstrap 1.3.5")).isNotEqualTo(key);
        assertThat(RootFilesystem.key(spec("edge", "1", List.of("jq"), "http://other/debian", true), "mmdebstrap 1.3.5")).isNotEqualTo(key);
        assertThat(RootFilesystem.key(spec("edge", "1", List.of("jq"), M, false), "mmdebstrap 1.3.5")).isNotEqualTo(key);
        assertThat(RootFilesystem.key(spec("edge", "1", List.of("jq"), M, true), "mmdebstrap 1.3.6")).isNotEqualTo(key);
    }

    @Test
    void packageOrderDoesNotChangeTheKey() {
        assertThat(RootFilesystem.key(spec("e", "1", List.of("a1", "b2"), M, true), "v"))
                .isEqualTo(RootFilesystem.key(spec("e", "1", List.of("b2", "a1"), M, true), "v"));
    }

    @Test
    void identifiersFollowNameAndVersion() {
        ImageIdentity a = ImageIdentity.of(spec("edge", "1", List.of(), M, true));
        assertThat(ImageIdentity.of(spec("edge", "1", List.of("jq"), M, true))).isEqualTo(a);
        ImageIdentity b = ImageIdentity.of(spec("edge", "2", List.of(), M, true));
        assertThat(b.disk()).isNotEqualTo(a.disk());
        assertThat(b.rootPartition()).isNotEqualTo(a.rootPartition());
        assertThat(List.of(a.disk(), a.espPartition(), a.oemPartition(), a.rootPartition(), a.rootFilesystem(), a.rootHashSeed()))
                .doesNotHaveDuplicates();
        assertThat(a.isoLabel()).isEqualTo("MOORING_EDGE");
    }
}
