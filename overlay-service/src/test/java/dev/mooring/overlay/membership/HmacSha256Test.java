package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc4231TestCase1() {
        assertThat(tag(repeat(0x0b, 20), "Hi There".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void rfc4231TestCase2KeyShorterThanTheTag() {
        assertThat(tag("Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void rfc4231TestCase6KeyLongerThanABlockIsHashedFirst() {
        assertThat(tag(repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    /** The same tags as the JCE's Mac for random keys and messages, also when one instance tags several. */
    @Test
    void agreesWithTheJce() throws Exception {
        Random random = new Random(20261127);
        for (int i = 0; i < 500; i++) {
            byte[] key = new byte[1 + random.nextInt(200)];
            byte[] message = new byte[random.nextInt(600)];
            random.nextBytes(key);
            random.nextBytes(message);
            int length = random.nextInt(message.length + 1);
            Mac jce = Mac.getInstance("HmacSHA256");
            jce.init(new SecretKeySpec(key, "HmacSHA256"));
            HmacSha256 hmac = new HmacSha256(key);
            byte[] expected = jce.doFinal(Arrays.copyOf(message, length));
            String seen = "key %s, %d of %d bytes".formatted(HEX.formatHex(key), length, message.length);
            assertThat(hmac.tag(message, length)).as(seen).isEqualTo(expected);
            assertThat(hmac.tag(message, length)).as("a second tag from one instance, " + seen).isEqualTo(expected);
            assertThat(hmac.tag(message, message.length)).as(seen).isEqualTo(jce.doFinal(message));
        }
    }

    private static String tag(byte[] key, byte[] message) {
        return HEX.formatHex(new HmacSha256(key).tag(message, message.length));
    }

    private static byte[] repeat(int b, int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) b);
        return bytes;
    }
}
