package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mooring.overlay.testing.AwkwardText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written status writer gives byte for byte what Jackson's default pretty printer gives
 * (the form the file had before, and the one readers parse), on random statuses: nulls, empty and
 * long lists and maps, strings with quotes, backslashes, control characters and non-ASCII text.
 */
class StatusJsonProperties {

    private static final ObjectMapper JACKSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static LongStream seeds() {
        return LongStream.range(0, 500);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void writesWhatJacksonWritesAndReadsBack(long seed) throws Exception {
        OverlayStatus status = randomStatus(new Random(seed));

        String json = status.toJson();

        assertThat(json).isEqualTo(JACKSON.writeValueAsString(status) + "\n");
        assertThat(OverlayStatus.parse(Path.of("overlay.json"), json)).isEqualTo(status);
    }

    private static OverlayStatus randomStatus(Random r) {
        return new OverlayStatus(OverlayStatus.VERSION, text(r), text(r), text(r), text(r), text(r), r.nextLong(),
                r.nextInt(8) == 0 ? null : new OverlayStatus.Overlay(text(r), text(r), r.nextInt(), text(r), text(r), text(r),
                        r.nextInt(), text(r), text(r), r.nextInt(), r.nextInt()),
                r.nextInt(8) == 0 ? null : new OverlayStatus.Underlay(text(r), texts(r), r.nextInt()),
                r.nextInt(8) == 0 ? null : new OverlayStatus.Vip(text(r), r.nextBoolean(), text(r), text(r), r.nextBoolean(), text(r)),
                r.nextInt(8) == 0 ? null : new OverlayStatus.Discovery(r.nextBoolean(), r.nextInt(), r.nextLong(), r.nextLong(), counters(r)),
                list(r, () -> new OverlayStatus.PeerStatus(text(r), text(r), text(r), text(r))),
                list(r, () -> new OverlayStatus.MemberStatus(text(r), text(r), text(r), text(r), text(r), text(r), text(r), text(r),
                        r.nextLong(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean())),
                r.nextInt(8) == 0 ? null : new OverlayStatus.Reconcile(text(r), r.nextLong(), r.nextLong(), r.nextInt(), text(r)),
                text(r));
    }

    /** Null one time in six; else up to 12 characters from ASCII, control characters and beyond. */
    private static String text(Random r) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        return AwkwardText.of(r, "", r.nextInt(13));
    }

    private static List<String> texts(Random r) {
        List<String> out = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            String t = text(r);
            out.add(t == null ? "" : t);
        }
        return out;
    }

    private static Map<String, Long> counters(Random r) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            String t = text(r);
            out.put(t == null ? "" : t, r.nextLong());
        }
        return out;
    }

    private static <T> List<T> list(Random r, java.util.function.Supplier<T> element) {
        List<T> out = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            out.add(element.get());
        }
        return out;
    }
}
