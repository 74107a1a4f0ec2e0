package dev.mooring.firstboot.userdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random mutations of valid user-data end in a valid result or in validation errors, each with a
 * position and a hint: never an exception, never a hang.
 */
class MutatedUserDataProperties {

    private static final List<String> EXAMPLES = List.of("control-plane.yaml", "worker.mime", "network-config");
    private static final List<String> SCALARS = List.of("", "0", "-1", "99999999999999999999", "yes", "null", "~", "[]", "{}",
            "'0644'", "0o777", "!!binary AAAA", "*alias", "&anchor x", "\"unterminated", "- item", "key: value", ":", "#", "\t",
            "100.64.192.0/23", "1.2.3.4.5", "\u0000", "\uFFFF", "é", "|", ">-", "%YAML 1.1", "---", "...", "? complex");
    private static final char[] SYNTAX = {':', '-', ' ', '\t', '"', '\'', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', ',', '\n'};
    private static final int[] EDGE_INDEXES = {0, 1, 10_000};
    /** Each kind of mutation at the first and last index, with the characters and scalars most likely to break a parser. */
    private static final List<Mutation> EDGE_MUTATIONS = List.of(
            new DeleteChar(0, 0), new DeleteChar(10_000, 10_000),
            new InsertChar(0, 0, '\u0000'), new InsertChar(10_000, 10_000, '\uffff'), new InsertChar(0, 1, '\n'),
            new ReplaceChar(0, 0, '\t'), new ReplaceChar(10_000, 10_000, '\ud800'), new ReplaceChar(1, 0, ':'),
            new SwapLines(0, 10_000), new DuplicateLine(0), new DuplicateLine(10_000),
            new Reindent(0, -6), new Reindent(10_000, 6), new Reindent(1, 0),
            new ReplaceScalar(0, ""), new ReplaceScalar(10_000, "\u0000"), new ReplaceScalar(1, "*alias"));

    private final UserDataValidator validator = new UserDataValidator(CloudInitKeys.bundled(), Timezones.shapeOnly());

    /** One edit of the document, applied to its lines. */
    sealed interface Mutation {
        List<String> apply(List<String> lines);
    }

    record DeleteChar(int line, int at) implements Mutation {
        public List<String> apply(List<String> lines) {
            return edit(lines, line, s -> s.isEmpty() ? s : s.substring(0, at % s.length()) + s.substring(at % s.length() + 1));
        }
    }

    record InsertChar(int line, int at, char c) implements Mutation {
        public List<String> apply(List<String> lines) {
            return edit(lines, line, s -> s.substring(0, at % (s.length() + 1)) + c + s.substring(at % (s.length() + 1)));
        }
    }

    record ReplaceChar(int line, int at, char c) implements Mutation {
        public List<String> apply(List<String> lines) {
            return edit(lines, line, s -> s.isEmpty() ? String.valueOf(c) : s.substring(0, at % s.length()) + c + s.substring(at % s.length() + 1));
        }
    }

    record SwapLines(int a, int b) implements Mutation {
        public List<String> apply(List<String> lines) {
            List<String> out = new ArrayList<>(lines);
            java.util.Collections.swap(out, a % out.size(), b % out.size());
            return out;
        }
    }

    record DuplicateLine(int line) implements Mutation {
        public List<String> apply(List<String> lines) {
            List<String> out = new ArrayList<>(lines);
            out.add(line % out.size(), out.get(line % out.size()));
            return out;
        }
    }

    record Reindent(int line, int delta) implements Mutation {
        public List<String> apply(List<String> lines) {
            return edit(lines, line, s -> delta > 0 ? " ".repeat(delta) + s : s.substring(Math.min(-delta, s.length() - s.stripLeading().length())));
        }
    }

    /** Replaces the value after the first ': ' (or a list item) with a scalar of another type. */
    record ReplaceScalar(int line, String scalar) implements Mutation {
        public List<String> apply(List<String> lines) {
            return edit(lines, line, s -> {
                int colon = s.indexOf(": ");
                if (colon >= 0) {
                    return s.substring(0, colon + 2) + scalar;
                }
                int dash = s.indexOf("- ");
                return dash >= 0 ? s.substring(0, dash + 2) + scalar : s + scalar;
            });
        }
    }

    private static List<String> edit(List<String> lines, int line, java.util.function.UnaryOperator<String> change) {
        List<String> out = new ArrayList<>(lines);
        int i = line % out.size();
        out.set(i, change.apply(out.get(i)));
        return out;
    }

    /**
     * One trial per seed; a failure is named "seed N", and {@code new Random(N)} replays it. Seeds
     * start at 1 so that Maven's report, which shows the invocation index [N], names the seed too.
     */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 400);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mutatedUserDataIsValidOrHasPositionedErrors(long seed) {
        Random random = new Random(seed);
        String example = EXAMPLES.get(random.nextInt(EXAMPLES.size()));
        assertValidOrPositionedErrors(load(example), anyMutations(random));
    }

    @ParameterizedTest(name = "{0}, edge mutation {1}")
    @MethodSource("edgeMutations")
    void edgeMutationsAreValidOrHavePositionedErrors(String example, int index, Mutation mutation) {
        assertValidOrPositionedErrors(load(example), List.of(mutation));
    }

    static Stream<Arguments> edgeMutations() {
        return EXAMPLES.stream().flatMap(example -> IntStream.range(0, EDGE_MUTATIONS.size())
                .mapToObj(i -> Arguments.of(example, i, EDGE_MUTATIONS.get(i))));
    }

    private void assertValidOrPositionedErrors(String example, List<Mutation> mutations) {
        List<String> lines = Arrays.asList(example.split("\n", -1));
        for (Mutation m : mutations) {
            lines = m.apply(lines);
        }
        String text = String.join("\n", lines);

        // The name makes the network-config example recognisable by name too; content decides for the others.
        String name = example.startsWith("# NoCloud network-config") ? "network-config" : "user-data";
        Validation result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> validator.validate(name, text));

        assertThat(result.isValid()).isEqualTo(result.errors().isEmpty());
        assertThat(result.diagnostics()).allSatisfy(d -> {
            assertThat(d.message()).isNotBlank();
            assertThat(d.hint()).isNotBlank();
            assertThat(d.line()).isPositive();
            assertThat(d.column()).isPositive();
        });
    }

    /** One to eight mutations, each kind equally likely. */
    private static List<Mutation> anyMutations(Random random) {
        List<Mutation> mutations = new ArrayList<>();
        for (int count = random.nextInt(1, 9); count > 0; count--) {
            mutations.add(switch (random.nextInt(7)) {
                case 0 -> new DeleteChar(anyIndex(random), anyIndex(random));
                case 1 -> new InsertChar(anyIndex(random), anyIndex(random), anyChar(random));
                case 2 -> new ReplaceChar(anyIndex(random), anyIndex(random), anyChar(random));
                case 3 -> new SwapLines(anyIndex(random), anyIndex(random));
                case 4 -> new DuplicateLine(anyIndex(random));
                case 5 -> new Reindent(anyIndex(random), random.nextInt(-6, 7));
                default -> new ReplaceScalar(anyIndex(random), SCALARS.get(random.nextInt(SCALARS.size())));
            });
        }
        return mutations;
    }

    /** 0..10000, taken modulo the line count or length; the ends often. */
    private static int anyIndex(Random random) {
        return random.nextInt(8) == 0 ? EDGE_INDEXES[random.nextInt(EDGE_INDEXES.length)] : random.nextInt(10_001);
    }

    /** YAML syntax half the time, otherwise any UTF-16 unit (control characters and lone surrogates included). */
    private static char anyChar(Random random) {
        return random.nextBoolean() ? SYNTAX[random.nextInt(SYNTAX.length)] : (char) random.nextInt(0x10000);
    }

    private static String load(String name) {
        try (var in = MutatedUserDataProperties.class.getResourceAsStream("/examples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
