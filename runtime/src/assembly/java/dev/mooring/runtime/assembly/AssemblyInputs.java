package dev.mooring.runtime.assembly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the assembly works from, given as {@code --key=value} arguments.
 *
 * @param version         the project version, part of the file names
 * @param mainJar         mooring's own jar ({@code mooring-runtime.jar})
 * @param libDir          the folder holding every dependency jar (and nothing else)
 * @param sources         {@code src/assembly}: {@code launcher/} templates and {@code systemd/} units
 * @param doc             the page shipped as {@code share/doc/mooring/runtime.md}
 * @param work            a scratch folder; the staged tree is {@code work/opt-mooring}
 * @param output          where the tar and the AOT cache go
 * @param timestamp       every entry's mtime: {@code SOURCE_DATE_EPOCH} when set, else {@code --timestamp}
 * @param javaHome        the JDK whose jdeps and jlink run, and whose modules the runtime takes
 * @param excludedModules JDK modules jdeps lists but nothing mooring runs needs
 * @param trainAotCache   whether to train the AOT cache after the tar
 * @param service         the artifact whose jar is the overlay service's ({@code overlay-service}): the
 *                        service runs with it and what it references alone on the class path
 */
record AssemblyInputs(String version, Path mainJar, Path libDir, Path sources, Path doc, Path work, Path output,
                      Instant timestamp, Path javaHome, Set<String> excludedModules, boolean trainAotCache,
                      String service) {

    private static final List<String> KEYS = List.of("version", "jar", "lib", "sources", "doc", "work", "output",
            "timestamp", "java-home", "exclude-modules", "aot-cache", "service");

    /**
     * Reads {@code --version= --jar= --lib= --sources= --doc= --work= --output= --timestamp=} (ISO
     * instant, e.g. Maven's project.build.outputTimestamp), {@code --service=} and the optional {@code --java-home=}
     * (default: the JDK running this), {@code --exclude-modules=a,b} and {@code --aot-cache=false}.
     */
    static AssemblyInputs parse(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.startsWith("--") && eq > 2 ? arg.substring(2, eq) : "";
            if (!KEYS.contains(key)) {
                throw new AssemblyException("unknown argument '" + arg + "'; the arguments are --" + String.join("=, --", KEYS) + "=");
            }
            given.put(key, arg.substring(eq + 1));
        }
        Path javaHome = Path.of(given.getOrDefault("java-home", System.getProperty("java.home")));
        if (!Files.isExecutable(javaHome.resolve("bin/jlink"))) {
            throw new AssemblyException(javaHome + " is not a JDK with jlink; set --java-home= (or JAVA_HOME) to a JDK 25");
        }
        Set<String> excluded = new LinkedHashSet<>();
        String exclude = given.getOrDefault("exclude-modules", "");
        if (!exclude.isBlank()) {
            excluded.addAll(Arrays.asList(exclude.split(",")));
        }
        return new AssemblyInputs(required(given, "version"), existing(given, "jar"), existing(given, "lib"),
                existing(given, "sources"), existing(given, "doc"), Path.of(required(given, "work")),
                Path.of(required(given, "output")), timestamp(given), javaHome, Set.copyOf(excluded),
                !"false".equals(given.get("aot-cache")), required(given, "service"));
    }

    private static String required(Map<String, String> given, String key) {
        String value = given.get(key);
        if (value == null || value.isBlank()) {
            throw new AssemblyException("--" + key + "= is missing");
        }
        return value;
    }

    private static Path existing(Map<String, String> given, String key) {
        Path path = Path.of(required(given, key));
        if (!Files.exists(path)) {
            throw new AssemblyException("--" + key + "=" + path + " does not exist; run Maven's package phase first");
        }
        return path;
    }

    /** Reproducible Builds' SOURCE_DATE_EPOCH wins over the project's timestamp, as in other tools. */
    private static Instant timestamp(Map<String, String> given) {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(epoch.trim()));
            } catch (NumberFormatException e) {
                throw new AssemblyException("SOURCE_DATE_EPOCH='" + epoch + "' is not a number of seconds since 1970");
            }
        }
        String value = required(given, "timestamp");
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new AssemblyException("--timestamp=" + value + " is not an ISO instant like 2026-11-01T00:00:00Z");
        }
    }
}
