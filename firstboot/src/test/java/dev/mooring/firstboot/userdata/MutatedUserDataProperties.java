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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random mutations of valid user-data end in a valid result or in validation errors, each with a
 * position and a hint: never an exception, never a hang.
 */
class MutatedUserDataProperties {

    private static final List<String> SEEDS = List.of(load("control-plane.yaml"), load("worker.mime"), load("network-config"));
    private static final List<String> SCALARS = List.of("", "0", "-1", "99999999999999999999", "yes", "null", "~", "[]", "{}",
            "'0644'", "0o777", "!!binary AAAA", "*alias", "&anchor x", "\"unterminated", "- item", "key: value", ":", "#", "\t",
            "100.64.192.0/23", "1.2.3.4.5", "\u0000", "\uFFFF", "é", "|", ">-", "%YAML 1.1", "---", "...", "? complex");

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

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Character> chars = Arbitraries.oneOf(Arbitraries.of(':', '-', ' ', '\t', '"', '\'', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', ',', '\n'),
                Arbitraries.chars().all());
        Arbitrary<Mutation> one = Arbitraries.oneOf(
                Combinators.combine(index, index).as(DeleteChar::new),
                Combinators.combine(index, index, chars).as(InsertChar::new),
                Combinators.combine(index, index, chars).as(ReplaceChar::new),
                Combinators.combine(index, index).as(SwapLines::new),
                index.map(DuplicateLine::new),
                Combinators.combine(index, Arbitraries.integers().between(-6, 6)).as(Reindent::new),
                Combinators.combine(index, Arbitraries.of(SCALARS)).as(ReplaceScalar::new));
        return one.list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> seeds() {
        return Arbitraries.of(SEEDS);
    }

    @Property(tries = 400)
    void mutatedUserDataIsValidOrHasPositionedErrors(@ForAll("seeds") String seed, @ForAll("mutations") List<Mutation> mutations) {
        List<String> lines = Arrays.asList(seed.split("\n", -1));
        for (Mutation m : mutations) {
            lines = m.apply(lines);
        }
        String text = String.join("\n", lines);

        // The name makes the network-config seed recognisable by name too; content decides for the others.
        String name = seed.startsWith("# NoCloud network-config") ? "network-config" : "user-data";
        Validation result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> validator.validate(name, text));

        assertThat(result.isValid()).isEqualTo(result.errors().isEmpty());
        assertThat(result.diagnostics()).allSatisfy(d -> {
            assertThat(d.message()).isNotBlank();
            assertThat(d.hint()).isNotBlank();
            assertThat(d.line()).isPositive();
            assertThat(d.column()).isPositive();
        });
    }

    private static String load(String name) {
        try (var in = MutatedUserDataProperties.class.getResourceAsStream("/examples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
