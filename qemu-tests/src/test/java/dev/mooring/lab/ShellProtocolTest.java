package dev.mooring.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ShellProtocolTest {

    @Test
    void aRequestIsOneLineWithIdTimeoutAndTheScriptInBase64() {
        String request = ShellProtocol.request("ab-1", Duration.ofMillis(1500), "echo 'x y'\nexit 2");
        assertThat(request).endsWith("\n").doesNotContain("\r");
        String[] f = request.strip().split(" ");
        assertThat(f).hasSize(4);
        assertThat(f[0]).isEqualTo("MR-EXEC");
        assertThat(f[1]).isEqualTo("ab-1");
        assertThat(f[2]).isEqualTo("2");
        assertThat(new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8)).isEqualTo("echo 'x y'\nexit 2");
    }

    @Test
    void idsThatWouldBreakTheLineAreRefused() {
        assertThatThrownBy(() -> ShellProtocol.request("a b", Duration.ofSeconds(1), "true")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
    }

    @Test
    void stalAnswersEchoesAndNoiseAreIgnored() {
        ShellProtocol.Answer answer = new ShellProtocol.Answer("s-2", "cmd");
        for (String line : List.of("MR-EXEC s-2 5 dHJ1ZQ==", "@@MR-READY@@", "@@MR-BEGIN s-1@@", "b2xk", "@@MR-END s-1 0@@", "[ 3.1] kernel noise")) {
            assertThat(answer.accept(line)).isEmpty();
        }
        assertThat(answer.accept("@@MR-BEGIN s-2@@")).isEmpty();
        assertThat(answer.accept(Base64.getMimeEncoder().encodeToString("hello\n".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        assertThat(answer.accept("@@MR-END s-2 7@@")).contains(new ExecResult("cmd", 7, "hello\n"));
    }

    static LongStream seeds() {
        return LongStream.range(0, 50);
    }

    /** Any output, split at any line width (busybox wraps at 76), decodes to what the guest printed. */
    @ParameterizedTest
    @MethodSource("seeds")
    void anyOutputSurvivesTheRoundTrip(long seed) {
        Random random = new Random(seed);
        byte[] printed = new byte[random.nextInt(4000)];
        for (int i = 0; i < printed.length; i++) {
            printed[i] = (byte) (32 + random.nextInt(95));
        }
        String text = new String(printed, StandardCharsets.US_ASCII) + (random.nextBoolean() ? "\n@@MR-END s-9 0@@" : "");
        String base64 = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        int width = 1 + random.nextInt(100);
        ShellProtocol.Answer answer = new ShellProtocol.Answer("s-9", "cmd");
        answer.accept("@@MR-BEGIN s-9@@");
        for (int i = 0; i < base64.length(); i += width) {
            assertThat(answer.accept(base64.substring(i, Math.min(base64.length(), i + width)))).isEmpty();
        }
        Optional<ExecResult> result = answer.accept("@@MR-END s-9 " + random.nextInt(256) + "@@");
        assertThat(result).isPresent();
        assertThat(result.get().output()).isEqualTo(text);
    }
}
