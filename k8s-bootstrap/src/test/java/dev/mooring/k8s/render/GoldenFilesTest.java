package dev.mooring.k8s.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each distribution and role renders exactly its golden file
 * ({@code src/test/resources/golden/<case>.txt}). After an intended change, regenerate them with
 * {@code -Dmooring.golden.update=true} and review the diff.
 */
class GoldenFilesTest {

    static List<Cases.Case> cases() {
        return Cases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersItsGoldenFile(Cases.Case c) throws Exception {
        String actual = Cases.text(Renderer.render(c.input()));
        if (Boolean.getBoolean("mooring.golden.update")) {
            Path dir = Path.of(System.getProperty("mooring.checkout"), "k8s-bootstrap/src/test/resources/golden");
            Files.writeString(dir.resolve(c.name() + ".txt"), actual);
        }
        assertThat(actual).isEqualTo(golden(c.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void renderingIsDeterministic(Cases.Case c) throws Exception {
        assertThat(Cases.text(Renderer.render(c.input()))).isEqualTo(Cases.text(Renderer.render(c.input())));
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/golden/" + name + ".txt")) {
            if (in == null) {
                return "(no golden file golden/" + name + ".txt; run with -Dmooring.golden.update=true)";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
