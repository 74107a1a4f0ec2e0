package dev.mooring.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A systemd unit file as sections of keys, each key with every value it was given (space-separated lists split). */
public record UnitFile(String name, Map<String, Map<String, List<String>>> sections) {

    public static UnitFile read(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
            } else if (current != null && line.contains("=")) {
                String key = line.substring(0, line.indexOf('=')).strip();
                String value = line.substring(line.indexOf('=') + 1).strip();
                current.computeIfAbsent(key, k -> new ArrayList<>()).addAll(Arrays.asList(value.split("\\s+")));
            } else {
                throw new IOException(file + ": cannot read line '" + raw + "'");
            }
        }
        return new UnitFile(file.getFileName().toString(), sections);
    }

    /** Every value of {@code key} in {@code section}, empty when absent. */
    public List<String> values(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The whole value of a single-valued key, joined as written. */
    public String value(String section, String key) {
        return String.join(" ", values(section, key));
    }
}
