package dev.mooring.image.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GuidTest {

    @Test
    void writesTheFirstThreeFieldsLittleEndian() {
        ByteBuffer b = ByteBuffer.allocate(16);
        Guid.put(b, UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
        assertThat(HexFormat.of().formatHex(b.array())).isEqualTo("33221100554477668899aabbccddeeff");
        b.flip();
        assertThat(Guid.get(b)).isEqualTo(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
    }

    @Test
    void derivedGuidsAreStableVersion4LayoutAndDifferPerInput() {
        UUID a = Guid.derived("root", "edge", "0.1.0");
        assertThat(Guid.derived("root", "edge", "0.1.0")).isEqualTo(a);
        assertThat(Guid.derived("root", "edge", "0.1.1")).isNotEqualTo(a);
        assertThat(Guid.derived("rootedge", "", "0.1.0")).isNotEqualTo(a);
        assertThat(a.version()).isEqualTo(4);
        assertThat(a.variant()).isEqualTo(2);
        assertThat(Guid.fatVolumeId("esp")).matches("[0-9a-f]{8}");
    }
}
