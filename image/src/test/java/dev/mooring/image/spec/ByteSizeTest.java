package dev.mooring.image.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void parsesBinaryUnits() {
        assertThat(ByteSize.parse("2GiB")).contains(2L << 30);
        assertThat(ByteSize.parse("1536 MiB")).contains(1536L << 20);
        assertThat(ByteSize.parse("512M")).contains(512L << 20);
        assertThat(ByteSize.parse("4096")).contains(4096L);
        assertThat(ByteSize.parse("1T")).contains(1L << 40);
    }

    @Test
    void refusesWhatIsNotASize() {
        assertThat(ByteSize.parse("lots")).isEmpty();
        assertThat(ByteSize.parse("-1G")).isEmpty();
        assertThat(ByteSize.parse("1.5G")).isEmpty();
        assertThat(ByteSize.parse("99999999999999999999G")).isEmpty();
        assertThat(ByteSize.parse("9999999999999T")).isEmpty();
    }

    @Test
    void formatsForMessages() {
        assertThat(ByteSize.formatMiB((1L << 20) + 1)).isEqualTo("2MiB");
        assertThat(ByteSize.format(3L << 30)).isEqualTo("3.00 GiB");
    }
}
