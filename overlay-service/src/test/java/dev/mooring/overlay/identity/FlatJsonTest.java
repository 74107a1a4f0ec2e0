package dev.mooring.overlay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The store's JSON reader: JSON's grammar as Jackson (strict about trailing content) reads it, and where it stops. */
class FlatJsonTest {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String IDENTITY = """
            {
              "format" : 1,
              "hostId" : "h\\u00e9\\"st\\\\1",
              "overlay" : "100.64.192.10",
              "vni" : 4242,
              "extra" : [ 1.5, -0, 2e10, true, false, null, { "a" : [ ] } ],
              "big" : 99999999999999999999,
              "incarnation" : -3
            }
            """;

    @Test
    void textsAndWholeNumbersAreReadAndEverythingElseIsOther() throws Exception {
        Map<String, Object> fields = FlatJson.fields(IDENTITY.getBytes(StandardCharsets.UTF_8));

        assertThat(fields).containsEntry("format", 1L).containsEntry("hostId", "hé\"st\\1").containsEntry("vni", 4242L)
                .containsEntry("incarnation", -3L).containsEntry("extra", FlatJson.OTHER).containsEntry("big", FlatJson.OTHER);
    }

    @Test
    void nothingButWhiteSpaceIsNoDocument() throws Exception {
        assertThat(FlatJson.fields(" \n\t".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void aValueThatIsNotAnObjectIsNamed() {
        assertThatThrownBy(() -> FlatJson.fields("[1, {\"a\": 2}]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(FlatJson.NotAnObjectException.class, e -> assertThat(e.found()).isEqualTo(FlatJson.Kind.ARRAY));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cut short           | '{"a": "b'           | 1 | 9  | the file ends where the rest of the string
            leading zero        | '{"a": 01}'          | 1 | 8  | does not start with 0
            bad escape          | '{"a": "\\q"}'       | 1 | 9  | '\\q' is not a JSON escape
            control character   | '{"a": "x\ty"}'      | 1 | 9  | a control character (U+0009)
            content after       | '{} {}'              | 1 | 4  | more follows
            no colon            | '{"a" 1}'            | 1 | 6  | expected ':'
            second line         | '{\\n  "a": tru }'   | 2 | 11 | expected 'true'
            unquoted name       | '{a: 1}'             | 1 | 2  | expected a field name in double quotes
            bad hex             | '{"a": "\\u12g4"}'   | 1 | 12 | expected four hex digits
            """)
    void aSyntaxErrorSaysWhatAndWhere(String what, String json, int line, int column, String message) {
        String text = json.replace("\\n", "\n");
        assertThatThrownBy(() -> FlatJson.fields(text.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(FlatJson.SyntaxException.class, e -> {
                    assertThat(e.getMessage()).contains(message);
                    assertThat(e.line()).as("line").isEqualTo(line);
                    assertThat(e.column()).as("column").isEqualTo(column);
                });
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertThatThrownBy(() -> FlatJson.fields(bytes)).isInstanceOf(FlatJson.SyntaxException.class).hasMessageContaining("not UTF-8");
    }

    static LongStream seeds() {
        return LongStream.range(0, 2000);
    }

    /** Random edits of a document: accepted exactly when Jackson accepts it, and read to the same fields. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readsWhatJacksonReadsAndRefusesWhatItRefuses(long seed) {
        Random r = new Random(seed);
        StringBuilder text = new StringBuilder(IDENTITY);
        String alphabet = "{}[]:,\"\\ \n0123456789-+.eEtrufalsnu\t/x\u00e9";
        for (int edits = 1 + r.nextInt(3); edits > 0; edits--) {
            int at = r.nextInt(text.length());
            switch (r.nextInt(3)) {
                case 0 -> text.deleteCharAt(at);
                case 1 -> text.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                default -> text.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        JsonNode tree;
        try {
            tree = STRICT.readTree(bytes);
        } catch (Exception jacksonRefused) {
            assertThatThrownBy(() -> FlatJson.fields(bytes)).as("Jackson refused it (%s):%n%s", jacksonRefused.getMessage(), text)
                    .isInstanceOf(FlatJson.SyntaxException.class);
            return;
        }
        Map<String, Object> ours;
        try {
            ours = FlatJson.fields(bytes);
        } catch (FlatJson.NotAnObjectException e) {
            assertThat(tree.getNodeType().name()).isEqualTo(e.found().name());
            return;
        } catch (FlatJson.SyntaxException e) {
            throw new AssertionError("refused what Jackson read (" + e.getMessage() + " at " + e.line() + ":" + e.column() + "):\n" + text);
        }
        if (tree == null || tree.isMissingNode()) {
            assertThat(ours).isNull();
            return;
        }
        Map<String, Object> expected = new HashMap<>();
        tree.properties().forEach(f -> expected.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                : f.getValue().isIntegralNumber() && f.getValue().canConvertToLong() ? f.getValue().asLong() : FlatJson.OTHER));
        assertThat(ours).as("%s", text).isEqualTo(expected);
    }
}
