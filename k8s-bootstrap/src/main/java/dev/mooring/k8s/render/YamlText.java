package dev.mooring.k8s.render;

import java.util.List;
import java.util.Map;

/**
 * A small YAML writer for the configuration files prepare renders: block mappings and sequences
 * of strings, numbers and booleans, keys in insertion order, every string double-quoted (so a
 * token or an address can never turn into another type). Deterministic by construction, which the
 * golden files and the "a re-run changes nothing" rule rely on.
 */
final class YamlText {

    private YamlText() {}

    /** {@code document} as block YAML, ending with a newline. */
    static String of(Map<String, ?> document) {
        StringBuilder out = new StringBuilder();
        mapping(out, document, 0);
        return out.toString();
    }

    private static void mapping(StringBuilder out, Map<String, ?> map, int indent) {
        for (Map.Entry<String, ?> e : map.entrySet()) {
            out.append(" ".repeat(indent)).append(e.getKey()).append(':');
            value(out, e.getValue(), indent);
        }
    }

    private static void value(StringBuilder out, Object value, int indent) {
        switch (value) {
            case Map<?, ?> m when m.isEmpty() -> out.append(" {}\n");
            case Map<?, ?> m -> {
                out.append('\n');
                @SuppressWarnings("unchecked") Map<String, ?> typed = (Map<String, ?>) m;
                mapping(out, typed, indent + 2);
            }
            case List<?> l when l.isEmpty() -> out.append(" []\n");
            case List<?> l -> {
                out.append('\n');
                for (Object item : l) {
                    if (item instanceof Map<?, ?> m && !m.isEmpty()) {
                        // "- key: v" then the remaining keys aligned under the first one.
                        @SuppressWarnings("unchecked") Map<String, ?> typed = (Map<String, ?>) m;
                        StringBuilder inner = new StringBuilder();
                        mapping(inner, typed, indent + 4);
                        out.append(" ".repeat(indent + 2)).append("- ").append(inner.substring(indent + 4));
                    } else {
                        out.append(" ".repeat(indent + 2)).append('-');
                        value(out, item, indent + 2);
                    }
                }
            }
            default -> out.append(' ').append(scalar(value)).append('\n');
        }
    }

    static String scalar(Object value) {
        return switch (value) {
            case String s -> quote(s);
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Boolean b -> b.toString();
            default -> throw new IllegalArgumentException("value: unsupported type " + value.getClass().getName());
        };
    }

    /** A double-quoted YAML (and JSON) string. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
