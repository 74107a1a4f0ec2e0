package dev.mooring.firstboot.accounts;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A colon-separated database (/etc/passwd, group, shadow, gshadow): one entry per line, the first
 * field its name. Lines that are not entries (comments, NIS {@code +} lines) are kept verbatim, and
 * entries keep their order, so a rewrite changes only what was asked.
 */
public final class ColonFile {

    private final int fields;
    private final List<String[]> lines = new ArrayList<>();

    private ColonFile(int fields) {
        this.fields = fields;
    }

    public static ColonFile parse(byte[] content, int fields) {
        ColonFile file = new ColonFile(fields);
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                file.lines.add(line.startsWith("#") || line.startsWith("+") || line.startsWith("-")
                        ? new String[] {line} : Arrays.copyOf(line.split(":", -1), Math.max(fields, line.split(":", -1).length)));
            }
        }
        return file;
    }

    /** The entry's fields (a copy), empty when there is no entry of that name. */
    public Optional<String[]> find(String name) {
        return lines.stream().filter(l -> l.length > 1 && l[0].equals(name)).findFirst().map(String[]::clone);
    }

    public boolean has(String name) {
        return find(name).isPresent();
    }

    public List<String[]> entries() {
        return lines.stream().filter(l -> l.length > 1).map(String[]::clone).toList();
    }

    /** Adds or replaces the entry named {@code entry[0]}. */
    public void put(String... entry) {
        if (entry.length < fields) {
            throw new IllegalArgumentException("entry: expected at least " + fields + " fields, got " + entry.length);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).length > 1 && lines.get(i)[0].equals(entry[0])) {
                lines.set(i, entry.clone());
                return;
            }
        }
        lines.add(entry.clone());
    }

    public byte[] render() {
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            out.append(String.join(":", line)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
