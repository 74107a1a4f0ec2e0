package dev.mooring.firstboot.cloudconfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The key names cloud-init's schemas define, per section ({@code top-level}, {@code user},
 * {@code write_files}, {@code ntp}, {@code ethernet}, {@code ethernet.match}). They were extracted
 * once from cloud-init's JSON schemas into {@code cloud-init-keys.txt}, whose header names the
 * source files and commit.
 */
public final class CloudInitKeys {

    private static final String RESOURCE = "/dev/mooring/firstboot/cloud-init-keys.txt";
    private static final CloudInitKeys BUNDLED = load();

    private final Map<String, Set<String>> sections;

    private CloudInitKeys(Map<String, Set<String>> sections) {
        this.sections = sections;
    }

    public static CloudInitKeys bundled() {
        return BUNDLED;
    }

    /** The keys of a section; fails for a section the file does not have (a programming error). */
    public Set<String> section(String name) {
        Set<String> keys = sections.get(name);
        if (keys == null) {
            throw new IllegalArgumentException("name: no section [" + name + "] in " + RESOURCE);
        }
        return keys;
    }

    /** The keys of a section that Mooring does not apply itself. */
    public Set<String> notApplied(String name, Set<String> applied) {
        Set<String> out = new TreeSet<>(section(name));
        out.removeAll(applied);
        return Set.copyOf(out);
    }

    private static CloudInitKeys load() {
        Map<String, Set<String>> sections = new HashMap<>();
        try (InputStream in = CloudInitKeys.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Set<String> current = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (l.startsWith("[") && l.endsWith("]")) {
                    current = new TreeSet<>();
                    sections.put(l.substring(1, l.length() - 1), current);
                } else if (current == null) {
                    throw new IllegalStateException(RESOURCE + ": key '" + l + "' before the first [section]");
                } else {
                    current.add(l);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Set<String>> frozen = new HashMap<>();
        sections.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
        return new CloudInitKeys(Map.copyOf(frozen));
    }
}
