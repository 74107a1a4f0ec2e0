package dev.mooring.runtime.assembly;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The JDK modules the runtime needs: what jdeps finds in the jars, less the modules left out on purpose. */
final class JdkModules {

    private JdkModules() {}

    /**
     * Runs {@code jdeps --print-module-deps} over the class path and drops {@code excluded}. jdeps
     * reads every class, including code paths mooring never takes (jackson-databind and snakeyaml
     * reference {@code java.beans}, which pulls {@code java.desktop}, 10+ MB); the launcher tests
     * run every command on the runtime built without them.
     */
    static Set<String> of(Path javaHome, List<Path> jars, Set<String> excluded, PrintStream log) {
        String classPath = jars.stream().map(Path::toString).collect(Collectors.joining(":"));
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/jdeps").toString(), "-q",
                "--print-module-deps", "--ignore-missing-deps", "--multi-release", String.valueOf(Runtime.version().feature()),
                "--class-path", classPath));
        jars.forEach(jar -> command.add(jar.toString()));
        String printed = Tools.output(command).strip();
        if (!printed.matches("[a-z0-9.]+(,[a-z0-9.]+)*")) {
            throw new AssemblyException("jdeps printed no module list but: " + printed);
        }
        Set<String> found = new TreeSet<>(Arrays.asList(printed.split(",")));
        Set<String> kept = new TreeSet<>(found);
        kept.removeAll(excluded);
        log.println("runtime assembly: jdeps lists " + String.join(",", found) + "; jlinking " + String.join(",", kept)
                + (excluded.isEmpty() ? "" : " (left out on purpose: " + String.join(",", new TreeSet<>(excluded)) + ")"));
        return kept;
    }

    /**
     * Fails when jlink brought a left-out module back as the dependency of a kept one: then leaving
     * it out saves nothing and the exclusion list is wrong.
     */
    static void checkLeftOut(Path runtime, Set<String> excluded) {
        Path release = runtime.resolve("release");
        try {
            String modules = Files.readAllLines(release).stream()
                    .filter(line -> line.startsWith("MODULES="))
                    .findFirst()
                    .orElseThrow(() -> new AssemblyException(release + " has no MODULES line"));
            Set<String> linked = new TreeSet<>(Arrays.asList(modules.substring("MODULES=".length()).replace("\"", "").split(" ")));
            linked.retainAll(excluded);
            if (!linked.isEmpty()) {
                throw new AssemblyException("jlink linked " + linked + " although they are left out: a kept module requires them;"
                        + " remove them from runtime.excluded-modules in runtime/pom.xml");
            }
        } catch (IOException e) {
            throw new AssemblyException("cannot read " + release, e);
        }
    }
}
