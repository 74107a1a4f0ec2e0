package dev.mooring.firstboot.yaml;

import dev.mooring.firstboot.diagnostic.Findings;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values out of YAML nodes, reporting a diagnostic at the node when the type is not
 * the one asked for. Every method returns empty after reporting, so callers just skip the value.
 * Types follow YAML 1.1 as cloud-init sees them: {@code yes}/{@code on} are booleans, {@code 0644}
 * is an octal integer.
 *
 * <p>{@code what} names the value in messages, as a path: {@code write_files[0].permissions}.
 */
public final class NodeReader {

    private final Findings findings;

    public NodeReader(Findings findings) {
        this.findings = findings;
    }

    public Findings findings() {
        return findings;
    }

    public void error(Node at, String message, String hint) {
        findings.error(YamlDocument.line(at), YamlDocument.column(at), message, hint);
    }

    public void warning(Node at, String message, String hint) {
        findings.warning(YamlDocument.line(at), YamlDocument.column(at), message, hint);
    }

    /** A string scalar; numbers, booleans and null are refused (quote them to make them strings). */
    public Optional<String> string(Node node, String what) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
            return Optional.of(scalar.getValue());
        }
        error(node, what + " must be a string, got " + describe(node), stringHint(node));
        return Optional.empty();
    }

    /** A string that is not empty and not only spaces. */
    public Optional<String> nonBlankString(Node node, String what) {
        Optional<String> value = string(node, what);
        if (value.isPresent() && value.get().isBlank()) {
            error(node, what + " is empty", "give it a value or remove the key");
            return Optional.empty();
        }
        return value;
    }

    public Optional<Boolean> bool(Node node, String what) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            String v = scalar.getValue().toLowerCase(Locale.ROOT);
            return Optional.of(v.equals("true") || v.equals("yes") || v.equals("on"));
        }
        String hint = node instanceof ScalarNode s && s.getTag().equals(Tag.STR)
                && Set.of("true", "false", "yes", "no", "on", "off").contains(s.getValue().toLowerCase(Locale.ROOT))
                ? "write " + s.getValue() + " without quotes, so YAML reads it as a boolean"
                : "write true or false";
        error(node, what + " must be a boolean, got " + describe(node), hint);
        return Optional.empty();
    }

    /** A YAML 1.1 integer (decimal, 0 octal, 0x hex, 0b binary, underscores, base 60) that fits a long. */
    public Optional<Long> integer(Node node, String what) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            Optional<BigInteger> value = yaml11Integer(scalar.getValue());
            if (value.isPresent() && value.get().bitLength() < 64) {
                return Optional.of(value.get().longValue());
            }
            error(node, what + ": " + scalar.getValue() + " is too large", "write a smaller number");
            return Optional.empty();
        }
        String hint = node instanceof ScalarNode s && s.getTag().equals(Tag.STR) && yaml11Integer(s.getValue()).isPresent()
                ? "write " + s.getValue() + " without quotes"
                : "write a whole number";
        error(node, what + " must be an integer, got " + describe(node), hint);
        return Optional.empty();
    }

    /** An integer in {@code min..max}. */
    public Optional<Long> integer(Node node, String what, long min, long max) {
        Optional<Long> value = integer(node, what);
        if (value.isPresent() && (value.get() < min || value.get() > max)) {
            error(node, what + ": " + value.get() + " is outside " + min + ".." + max, "write a number from " + min + " to " + max);
            return Optional.empty();
        }
        return value;
    }

    public Optional<MappingNode> mapping(Node node, String what) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(mapping);
        }
        error(node, what + " must be a mapping (key: value lines), got " + describe(node),
                "indent the keys below " + lastSegment(what) + ":");
        return Optional.empty();
    }

    public Optional<SequenceNode> sequence(Node node, String what) {
        if (node instanceof SequenceNode sequence) {
            return Optional.of(sequence);
        }
        error(node, what + " must be a list, got " + describe(node), "write each item on its own line starting with '- '");
        return Optional.empty();
    }

    /** A list of strings; empty when the value or any item is not a string (each one is reported). */
    public Optional<List<String>> strings(Node node, String what) {
        Optional<SequenceNode> sequence = sequence(node, what);
        if (sequence.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        List<Node> items = sequence.get().getValue();
        for (int i = 0; i < items.size(); i++) {
            Optional<String> item = string(items.get(i), what + "[" + i + "]");
            ok &= item.isPresent();
            item.ifPresent(out::add);
        }
        return ok ? Optional.of(List.copyOf(out)) : Optional.empty();
    }

    /** Reads the keys of a mapping; see {@link MappingFields}. */
    public MappingFields fields(MappingNode node, String path, Set<String> applied, Set<String> acceptedNotApplied) {
        return new MappingFields(this, node, path, applied, acceptedNotApplied);
    }

    public static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    /** How a value reads in a message: "the integer 644", "a list". */
    public static String describe(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "an empty value (null)";
            case ScalarNode s when s.getTag().equals(Tag.INT) -> "the integer " + s.getValue();
            case ScalarNode s when s.getTag().equals(Tag.FLOAT) -> "the number " + s.getValue();
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> "the boolean " + s.getValue();
            case ScalarNode s when s.getTag().equals(Tag.TIMESTAMP) -> "the date " + s.getValue();
            case ScalarNode s when s.getTag().equals(Tag.BINARY) -> "binary data (!!binary)";
            case ScalarNode s when s.getTag().equals(Tag.STR) -> "the string '" + abbreviate(s.getValue()) + "'";
            default -> "a value tagged " + node.getTag();
        };
    }

    private static String stringHint(Node node) {
        return switch (node) {
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "give it a value or remove the key";
            case ScalarNode s when s.getTag().equals(Tag.BINARY) -> "binary data is only allowed in write_files content";
            case ScalarNode s -> "put the value in quotes: '" + abbreviate(s.getValue()) + "'";
            default -> "write a single value, not " + describe(node);
        };
    }

    /** A value shortened to one line of at most 40 characters, for messages. */
    public static String abbreviate(String value) {
        String oneLine = value.replace("\n", "\\n");
        return oneLine.length() > 40 ? oneLine.substring(0, 37) + "..." : oneLine;
    }

    private static String lastSegment(String what) {
        int dot = what.lastIndexOf('.');
        return dot < 0 ? what : what.substring(dot + 1);
    }

    /** YAML 1.1 int syntax as PyYAML resolves and constructs it; empty when it is not one. */
    static Optional<BigInteger> yaml11Integer(String text) {
        String t = text.replace("_", "");
        boolean negative = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (t.isEmpty()) {
            return Optional.empty();
        }
        try {
            BigInteger value;
            if (t.equals("0")) {
                value = BigInteger.ZERO;
            } else if (t.startsWith("0b")) {
                value = new BigInteger(t.substring(2), 2);
            } else if (t.startsWith("0x")) {
                value = new BigInteger(t.substring(2), 16);
            } else if (t.startsWith("0")) {
                value = new BigInteger(t.substring(1), 8);
            } else if (t.contains(":")) {
                value = BigInteger.ZERO;
                for (String digit : t.split(":", -1)) {
                    value = value.multiply(BigInteger.valueOf(60)).add(new BigInteger(digit));
                }
            } else {
                value = new BigInteger(t);
            }
            return Optional.of(negative ? value.negate() : value);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
