package dev.mooring.lab.tiny;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Load order of kernel modules without kmod: each module's {@code depends=} from its
 * {@code .modinfo} section, resolved depth-first. The host has no depmod/modprobe, and a
 * {@code dpkg -x}'d kernel package has no modules.dep.
 */
final class KernelModules {
    private KernelModules() {}

    /** Every {@code *.ko} under {@code moduleRoot}, by module name ({@code -} read as {@code _}). */
    static Map<String, Path> index(Path moduleRoot) throws IOException {
        Map<String, Path> modules = new TreeMap<>();
        try (Stream<Path> files = Files.walk(moduleRoot)) {
            files.filter(p -> p.getFileName().toString().endsWith(".ko")).forEach(p -> {
                String name = p.getFileName().toString();
                modules.put(name.substring(0, name.length() - 3).replace('-', '_'), p);
            });
        }
        return modules;
    }

    /** The {@code depends=} list of a module file. */
    static List<String> dependsOf(Path module) throws IOException {
        String text = new String(Files.readAllBytes(module), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\0depends=");
        if (at < 0) {
            return List.of();
        }
        int start = at + "\0depends=".length();
        String value = text.substring(start, text.indexOf('\0', start));
        return value.isEmpty() ? List.of() : List.of(value.replace('-', '_').split(","));
    }

    /** {@code roots} and their dependencies, each after what it depends on. */
    static List<String> loadOrder(List<String> roots, Function<String, List<String>> depends) {
        Set<String> done = new LinkedHashSet<>();
        for (String root : roots) {
            visit(root, depends, done, new ArrayList<>());
        }
        return List.copyOf(done);
    }

    private static void visit(String module, Function<String, List<String>> depends, Set<String> done, List<String> path) {
        if (done.contains(module)) {
            return;
        }
        if (path.contains(module)) {
            throw new IllegalStateException("module dependency cycle: " + path + " -> " + module);
        }
        path.add(module);
        for (String dependency : depends.apply(module)) {
            visit(dependency, depends, done, path);
        }
        path.remove(path.size() - 1);
        done.add(module);
    }
}
