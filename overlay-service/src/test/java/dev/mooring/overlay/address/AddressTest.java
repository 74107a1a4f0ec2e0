package dev.mooring.overlay.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {

    /** Values where arithmetic on addresses goes wrong first: zero, all ones, the sign bit. */
    private static final int[] EDGE_INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    private static final long[] EDGE_LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xffff_ffff_ffffL, 0x1_0000_0000_0000L};

    /**
     * One trial per seed; a failure is named "seed N", and {@code new Random(N)} replays it. Seeds
     * start at 1 so that Maven's report, which shows the invocation index [N], names the seed too.
     */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 1000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ipv4PrintsAndParsesBack(long seed) {
        assertIpv4RoundTrips(anyInt(new Random(seed)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x7f00_0001, 0x0a00_00ff})
    void ipv4PrintsAndParsesBackAtTheEdges(int bits) {
        assertIpv4RoundTrips(bits);
    }

    private static void assertIpv4RoundTrips(int bits) {
        Ipv4Address a = new Ipv4Address(bits);
        assertThat(Ipv4Address.parse(a.toString())).isEqualTo(a);
        assertThat(Ipv4Address.of(a.toBytes())).isEqualTo(a);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void macPrintsAndParsesBack(long seed) {
        assertMacRoundTrips(anyLong(new Random(seed)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xffff_ffff_ffffL, 0x1_0000_0000_0000L, 0x0200_0000_0000L})
    void macPrintsAndParsesBackAtTheEdges(long raw) {
        assertMacRoundTrips(raw);
    }

    private static void assertMacRoundTrips(long raw) {
        MacAddress m = new MacAddress(raw & 0xffff_ffff_ffffL);
        assertThat(MacAddress.parse(m.toString())).isEqualTo(m);
        assertThat(MacAddress.of(m.toBytes())).isEqualTo(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void cidrContainsExactlyItsRange(long seed) {
        Random random = new Random(seed);
        assertCidrContainsExactlyItsRange(anyInt(random), random.nextInt(33), anyInt(random));
    }

    @ParameterizedTest(name = "base {0}, /{1}, probe {2}")
    @MethodSource("cidrEdges")
    void cidrContainsExactlyItsRangeAtTheEdges(int base, int prefix, int probe) {
        assertCidrContainsExactlyItsRange(base, prefix, probe);
    }

    static Stream<Arguments> cidrEdges() {
        return IntStream.of(EDGE_INTS).boxed().flatMap(base -> IntStream.of(0, 1, 31, 32).boxed()
                .flatMap(prefix -> IntStream.of(EDGE_INTS).mapToObj(probe -> Arguments.of(base, prefix, probe))));
    }

    private static void assertCidrContainsExactlyItsRange(int base, int prefix, int probe) {
        Cidr cidr = new Cidr(new Ipv4Address(base & Cidr.mask(prefix)), prefix);
        Ipv4Address p = new Ipv4Address(probe);
        boolean inRange = Integer.compareUnsigned(probe, cidr.network().bits()) >= 0
                && Integer.compareUnsigned(probe, cidr.broadcast().bits()) <= 0;
        assertThat(cidr.contains(p)).isEqualTo(inRange);
        assertThat(Integer.toUnsignedLong(cidr.broadcast().bits()) - Integer.toUnsignedLong(cidr.network().bits()) + 1).isEqualTo(cidr.size());
        assertThat(Cidr.parse(cidr.toString())).isEqualTo(cidr);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void overlapIsSymmetricAndMeansASharedAddress(long seed) {
        Random random = new Random(seed);
        int a = anyInt(random);
        // Half the time b keeps a's leading bits, so that nested and neighbouring networks are common.
        int b = random.nextBoolean() ? anyInt(random) : a ^ random.nextInt() >>> random.nextInt(8, 32);
        assertOverlapMeansASharedAddress(a, random.nextInt(8, 33), b, random.nextInt(8, 33));
    }

    @ParameterizedTest(name = "{0}/{1} and {2}/{3}")
    @MethodSource("overlapEdges")
    void overlapIsSymmetricAndMeansASharedAddressAtTheEdges(int a, int pa, int b, int pb) {
        assertOverlapMeansASharedAddress(a, pa, b, pb);
    }

    static Stream<Arguments> overlapEdges() {
        return IntStream.of(EDGE_INTS).boxed().flatMap(a -> IntStream.of(8, 32).boxed()
                .flatMap(pa -> IntStream.of(EDGE_INTS).boxed().flatMap(b -> IntStream.of(8, 32)
                        .mapToObj(pb -> Arguments.of(a, pa, b, pb)))));
    }

    private static void assertOverlapMeansASharedAddress(int a, int pa, int b, int pb) {
        Cidr x = new Cidr(new Ipv4Address(a & Cidr.mask(pa)), pa);
        Cidr y = new Cidr(new Ipv4Address(b & Cidr.mask(pb)), pb);
        assertThat(x.overlaps(y)).isEqualTo(y.overlaps(x));
        assertThat(x.overlaps(y)).isEqualTo(x.contains(y.network()) || y.contains(x.network()));
    }

    /** Any int, with edge values and small numbers drawn often enough that every run meets them. */
    private static int anyInt(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> EDGE_INTS[random.nextInt(EDGE_INTS.length)];
            case 1 -> random.nextInt(-1000, 1001);
            default -> random.nextInt();
        };
    }

    /** Any long, with edge values and small numbers drawn often enough that every run meets them. */
    private static long anyLong(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> EDGE_LONGS[random.nextInt(EDGE_LONGS.length)];
            case 1 -> random.nextLong(-1000, 1001);
            default -> random.nextLong();
        };
    }

    @Test
    void usableHostsExcludeNetworkAndBroadcast() {
        Cidr cidr = Cidr.parse("100.64.192.0/23");
        assertThat(cidr.firstUsable()).hasToString("100.64.192.1");
        assertThat(cidr.lastUsable()).hasToString("100.64.193.254");
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.192.0"))).isFalse();
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.193.255"))).isFalse();
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.193.0"))).isTrue();
        assertThat(cidr.size()).isEqualTo(512);
    }

    @Test
    void overlayMacIsLocallyAdministeredAndCarriesTheAddress() {
        MacAddress mac = MacAddress.forOverlayAddress(Ipv4Address.parse("100.64.192.10"));
        assertThat(mac).hasToString("02:00:64:40:c0:0a");
        assertThat(mac.toBytes()[0] & 0x03).as("locally administered, unicast").isEqualTo(0x02);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                | an IPv4 address is required",
            "1.2.3             | write four numbers 0-255",
            "1.2.3.4.5         | write four numbers 0-255",
            "1.2.3.256         | 256 is larger than 255",
            "1.2.3.x           | 'x' is not a number 0-255",
            "01.2.3.4          | leading zero",
            "1..3.4            | '' is not a number 0-255",
            "' 1.2.3.4'        | is not a number 0-255",
    })
    void badAddressesSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Ipv4Address.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "100.64.192.0      | has no prefix length",
            "100.64.192.0/     | invalid prefix length ''",
            "100.64.192.0/33   | outside 0..32",
            "100.64.192.0/2x   | invalid prefix length '2x'",
            "100.64.192.1/23   | has host bits set; the network is 100.64.192.0/23",
            "100.64.300.0/23   | 300 is larger than 255",
    })
    void badCidrsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "02:00:64:40:c0    | six hex pairs",
            "02:00:64:40:c0:zz | 'zz' is not a hex pair",
            "0200.6440.c00a    | six hex pairs",
    })
    void badMacsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }
}
