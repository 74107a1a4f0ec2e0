package dev.mooring.runtime.assembly;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The class path of {@code mooring overlay run}: mooring's jar, the overlay module's jar and the
 * jars its classes reference, as jdeps finds them. Every jar on the class path costs the service
 * at start (each JDK service lookup opens them all) and in memory, and the service needs 7 of the
 * 27; the rest belong to the other commands.
 */
final class ServiceClassPath {

    /** One line of {@code jdeps -summary}: {@code a.jar -> /lib/b.jar}. */
    private static final Pattern EDGE = Pattern.compile("^(\\S+\\.jar) -> (\\S+\\.jar)$", Pattern.MULTILINE);

    private ServiceClassPath() {}

    /**
     * The jars of {@code jars} that {@code serviceJar} reaches, with {@code mainJar} and
     * {@code serviceJar} themselves, in the order of {@code jars}.
     */
    static List<Path> of(Path javaHome, Path mainJar, Path serviceJar, List<Path> jars, PrintStream log) {
        if (!jars.contains(serviceJar)) {
            throw new AssemblyException("the service's jar " + serviceJar.getFileName() + " is not among the dependencies in "
                    + serviceJar.getParent() + "; the runtime-assembly execution in runtime/pom.xml passes --service=<artifactId of the overlay module>,"
                    + " which must be a dependency of the runtime module");
        }
        String classPath = jars.stream().filter(jar -> !jar.equals(serviceJar)).map(Path::toString)
                .collect(Collectors.joining(":"));
        String printed = Tools.output(List.of(javaHome.resolve("bin/jdeps").toString(), "-R", "-summary",
                "--ignore-missing-deps", "--multi-release", String.valueOf(Runtime.version().feature()),
                "--class-path", classPath, serviceJar.toString()));
        Set<String> reached = reachable(serviceJar.getFileName().toString(), printed);
        List<Path> kept = new ArrayList<>();
        for (Path jar : jars) {
            if (jar.equals(mainJar) || reached.contains(jar.getFileName().toString())) {
                kept.add(jar);
            }
        }
        log.println("runtime assembly: 'overlay run' runs with " + kept.size() + " of " + jars.size() + " jars: "
                + kept.stream().map(jar -> jar.getFileName().toString()).collect(Collectors.joining(", ")));
        return kept;
    }

    /** The jar names reachable from {@code start} over the edges jdeps printed, {@code start} included. */
    static Set<String> reachable(String start, String jdepsSummary) {
        Map<String, Set<String>> edges = new HashMap<>();
        Matcher edge = EDGE.matcher(jdepsSummary);
        while (edge.find()) {
            // jdeps names the analysed jar by its file name and the jar it depends on by its path.
            edges.computeIfAbsent(fileName(edge.group(1)), from -> new TreeSet<>()).add(fileName(edge.group(2)));
        }
        Set<String> reached = new LinkedHashSet<>(List.of(start));
        Deque<String> next = new ArrayDeque<>(reached);
        while (!next.isEmpty()) {
            for (String to : edges.getOrDefault(next.pop(), Set.of())) {
                if (reached.add(to)) {
                    next.push(to);
                }
            }
        }
        return reached;
    }

    private static String fileName(String jar) {
        return Path.of(jar).getFileName().toString();
    }
}
