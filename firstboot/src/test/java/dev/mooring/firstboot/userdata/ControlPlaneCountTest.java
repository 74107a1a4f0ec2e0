package dev.mooring.firstboot.userdata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.mooring.KubernetesSpec;
import dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart;
import org.junit.jupiter.api.Test;

/** {@code mooring.kubernetes.control-plane-count} (docs/contracts.md): 1..9, default 1, even counts warned about. */
class ControlPlaneCountTest {

    private static Validation validate(String count) {
        return UserDataValidator.standard().validate("u.yaml", "#cloud-config\nmooring:\n  kubernetes:\n    distribution: etcd\n"
                + (count == null ? "" : "    control-plane-count: " + count + "\n"));
    }

    private static KubernetesSpec spec(Validation v) {
        return v.userData().orElseThrow().ofKind(CloudConfigPart.class).getFirst().config().mooring().orElseThrow().kubernetes().orElseThrow();
    }

    @Test
    void defaultsToOneAndReadsOddCounts() {
        assertThat(spec(validate(null)).controlPlaneCount()).isEqualTo(1);
        Validation three = validate("3");
        assertThat(three.diagnostics()).isEmpty();
        assertThat(spec(three).controlPlaneCount()).isEqualTo(3);
    }

    @Test
    void refusesOutOfRangeAndWarnsAboutEvenCounts() {
        assertThat(validate("0").errors()).extracting(Diagnostic::toString)
                .containsExactly("u.yaml:5:26: error: mooring.kubernetes.control-plane-count: 0 is outside 1..9");
        assertThat(validate("three").errors()).singleElement().satisfies(d -> assertThat(d.location()).isEqualTo("u.yaml:5:26"));
        Validation two = validate("2");
        assertThat(two.isValid()).isTrue();
        assertThat(two.warnings()).singleElement().satisfies(d -> assertThat(d.message()).contains("tolerate no more failures than 1"));
    }
}
