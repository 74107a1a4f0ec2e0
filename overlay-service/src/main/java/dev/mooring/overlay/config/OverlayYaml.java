package dev.mooring.overlay.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * overlay.yaml as snakeyaml composes it (nodes with their line and column), read into plain
 * values: text, whole numbers, true or false, mappings with a fixed set of keys, lists. Every
 * value read is remembered by JSON pointer ({@code /overlay/vip}, {@code /peers/0/host}) so that
 * later checks can report at it; every shape problem (unknown or repeated key, a list where a
 * mapping goes, a fraction where a whole number goes) is collected, with its position.
 *
 * <p>The service reads this file on its way to READY: snakeyaml's composer alone loads a fraction
 * of the classes an ObjectMapper does, and no reflection runs. Scalars are taken as Jackson took
 * them before ({@code OverlayYamlProperties} compares the two), so every file reads as it did.
 */
final class OverlayYaml {

    private final Path source;
    private final Map<String, Mark> positions = new HashMap<>();
    private final List<OverlayConfigException.Problem> problems = new ArrayList<>();

    OverlayYaml(Path source) {
        this.source = source;
    }

    /**
     * Composes {@code text}: its root node, or null for a file that holds no value (nothing,
     * comments only, or a lone null).
     *
     * @throws OverlayConfigException when the text is not YAML, or holds more than one document
     */
    Node compose(String text) throws OverlayConfigException {
        LoaderOptions options = new LoaderOptions();
        // The composer, not org.yaml.snakeyaml.Yaml: that one also builds a constructor and a
        // representer for Java objects, which this file never needs.
        Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
        Node root;
        try {
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            String message = "but found another document".equals(problem)
                    ? "a second YAML document starts here; overlay.yaml holds one: remove the second, or the '---' before it"
                    : "not valid YAML: " + problem.lines().findFirst().orElse("") + "; fix the syntax at this position";
            throw new OverlayConfigException(List.of(problem(source, at, "", message)));
        } catch (YAMLException e) {
            throw new OverlayConfigException(List.of(problem(source, null, "", "not valid YAML: " + e.getMessage()
                    + "; fix the syntax")));
        }
        return root == null || isNull(root) ? null : root;
    }

    /** Where each value read so far starts, by JSON pointer. */
    Map<String, Mark> positions() {
        return positions;
    }

    List<OverlayConfigException.Problem> problems() {
        return problems;
    }

    /**
     * The keys of a mapping. Unknown and repeated keys are reported here; a value that is not a
     * mapping is reported and read as absent.
     *
     * @return null when {@code node} is absent or null
     */
    Fields mapping(Node node, String pointer, String... allowed) {
        if (!seen(node, pointer)) {
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            wrongKind(node, pointer, "a mapping (key: value)");
            return null;
        }
        Map<String, Node> values = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            Node keyNode = t.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : "";
            String child = pointer + "/" + key;
            if (values.containsKey(key)) {
                report(keyNode.getStartMark(), "", "the key '" + key + "' appears twice in one mapping; keep one");
            } else if (!List.of(allowed).contains(key)) {
                report(keyNode.getStartMark(), key(child), "unknown key '" + key + "'; the keys allowed "
                        + (pointer.isEmpty() ? "at the top" : "here") + " are: " + String.join(", ", new TreeSet<>(List.of(allowed))));
            }
            values.putIfAbsent(key, t.getValueNode());
        }
        return new Fields(pointer, values);
    }

    /** The items of a list, each with its pointer; null when {@code node} is absent or null. */
    List<Item> list(Node node, String pointer) {
        if (!seen(node, pointer)) {
            return null;
        }
        if (!(node instanceof SequenceNode sequence)) {
            report(node.getStartMark(), key(pointer), "expected a list (- item) here");
            return null;
        }
        List<Item> out = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            out.add(new Item(item, pointer + "/" + out.size()));
        }
        return out;
    }

    /** A list item and where it is. */
    record Item(Node node, String pointer) {}

    /** The values of one mapping, read by key. */
    final class Fields {
        private final String pointer;
        private final Map<String, Node> values;

        private Fields(String pointer, Map<String, Node> values) {
            this.pointer = pointer;
            this.values = values;
        }

        Node node(String key) {
            return values.get(key);
        }

        String pointer(String key) {
            return pointer + "/" + key;
        }

        Fields mapping(String key, String... allowed) {
            return OverlayYaml.this.mapping(node(key), pointer(key), allowed);
        }

        List<Item> list(String key) {
            return OverlayYaml.this.list(node(key), pointer(key));
        }

        String text(String key) {
            return OverlayYaml.this.text(node(key), pointer(key));
        }

        Integer whole(String key) {
            return OverlayYaml.this.whole(node(key), pointer(key));
        }

        Boolean bool(String key) {
            return OverlayYaml.this.bool(node(key), pointer(key));
        }
    }

    /** A scalar as text, as written (numbers and booleans included); null when absent or null. */
    String text(Node node, String pointer) {
        if (!seen(node, pointer)) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        report(node.getStartMark(), key(pointer), "expected a single value (text) here");
        return null;
    }

    /**
     * A whole number: a YAML integer ({@code 4242}, {@code 0x1092}, {@code 1_000}) or text holding
     * a decimal one ({@code "4242"}); null when absent, null or blank. Fractions are refused.
     */
    Integer whole(Node node, String pointer) {
        if (!seen(node, pointer)) {
            return null;
        }
        Scalar s = Scalar.of(node);
        if (s.blank()) {
            return null;
        }
        Long number = s.kind() == Kind.INTEGER ? yamlInteger(s.text()) : s.kind() == Kind.TEXT ? decimal(s.text()) : null;
        if (number == null) {
            report(node.getStartMark(), key(pointer), s.kind() == Kind.TEXT || s.kind() == Kind.FRACTION
                    ? "'" + s.text() + "' is not a whole number" : "expected a whole number here");
            return null;
        }
        if (number != number.intValue()) {
            report(node.getStartMark(), key(pointer), "'" + s.text() + "' is not a whole number between "
                    + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
            return null;
        }
        return number.intValue();
    }

    /**
     * true or false: YAML's booleans ({@code true}, {@code yes}, {@code on} and their negations),
     * the text {@code "true"} or {@code "false"}, or a YAML integer (non-zero is true); null when
     * absent, null or blank.
     */
    Boolean bool(Node node, String pointer) {
        if (!seen(node, pointer)) {
            return null;
        }
        Scalar s = Scalar.of(node);
        if (s.blank()) {
            return null;
        }
        switch (s.kind()) {
            case TRUE -> {
                return true;
            }
            case FALSE -> {
                return false;
            }
            case INTEGER -> {
                return yamlInteger(s.text()) != 0;
            }
            case TEXT -> {
                if (TRUE_TEXT.contains(s.text()) || FALSE_TEXT.contains(s.text())) {
                    return TRUE_TEXT.contains(s.text());
                }
                report(node.getStartMark(), key(pointer), "'" + s.text() + "' is not true or false");
            }
            default -> report(node.getStartMark(), key(pointer), "expected true or false here");
        }
        return null;
    }

    private static final List<String> TRUE_TEXT = List.of("true", "True", "TRUE");
    private static final List<String> FALSE_TEXT = List.of("false", "False", "FALSE");

    /** What a node is, as Jackson typed it when it read this file: the tag snakeyaml resolved, refined. */
    private enum Kind { TRUE, FALSE, INTEGER, FRACTION, TEXT, COLLECTION }

    /** A scalar's kind and text; text is stripped, as Jackson stripped it before converting it. */
    private record Scalar(Kind kind, String text) {
        /** Empty text, which Jackson took for no value. */
        boolean blank() {
            return kind == Kind.TEXT && text.isEmpty();
        }

        static Scalar of(Node node) {
            if (!(node instanceof ScalarNode s)) {
                return new Scalar(Kind.COLLECTION, null);
            }
            String value = s.getValue();
            Tag tag = s.getTag();
            if (value.isEmpty()) {
                return new Scalar(Kind.TEXT, "");
            }
            if (tag.equals(Tag.BOOL)) {
                return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "true", "yes", "on" -> new Scalar(Kind.TRUE, value);
                    case "false", "no", "off" -> new Scalar(Kind.FALSE, value);
                    default -> new Scalar(Kind.TEXT, value.strip());
                };
            }
            if (tag.equals(Tag.INT)) {
                // Base 60 (1:30) and numbers beyond a long are text: no setting here means them.
                return yamlInteger(value) == null ? new Scalar(Kind.TEXT, value.strip()) : new Scalar(Kind.INTEGER, value);
            }
            return tag.equals(Tag.FLOAT) ? new Scalar(Kind.FRACTION, value) : new Scalar(Kind.TEXT, value.strip());
        }
    }

    /** Records where {@code node} is; false when there is nothing to read (absent, or YAML null). */
    private boolean seen(Node node, String pointer) {
        if (node == null) {
            return false;
        }
        positions.putIfAbsent(pointer, node.getStartMark());
        return !isNull(node);
    }

    /** Jackson's wording: blank text is "'' is not" a mapping, anything else "expected" one. */
    private void wrongKind(Node node, String pointer, String expected) {
        if (node instanceof ScalarNode s && s.getValue().isBlank()) {
            report(node.getStartMark(), key(pointer), "'' is not " + expected);
        } else {
            report(node.getStartMark(), key(pointer), "expected " + expected + " here");
        }
    }

    /** {@code ~}, {@code null}: absent. An empty plain value is empty text, as Jackson read it. */
    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) && !s.getValue().isEmpty();
    }

    /** A YAML 1.1 integer: sign, underscores, {@code 0x} hex, {@code 0b} binary, leading-zero octal. */
    private static Long yamlInteger(String value) {
        String digits = value.replace("_", "");
        boolean negative = digits.startsWith("-");
        if (negative || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
            radix = 2;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        try {
            long magnitude = Long.parseLong(digits, radix);
            return negative ? -magnitude : magnitude;
        } catch (NumberFormatException e) {
            return null; // base 60 (1:30), or beyond a long: no whole number the file can mean here
        }
    }

    private static Long decimal(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void report(Mark at, String key, String message) {
        problems.add(problem(source, at, key, message));
    }

    private static OverlayConfigException.Problem problem(Path source, Mark at, String key, String message) {
        return new OverlayConfigException.Problem(source, at == null ? 1 : at.getLine() + 1, at == null ? 1 : at.getColumn() + 1,
                key, message);
    }

    /** The dotted key of a pointer: {@code /peers/0/host} is {@code peers[0].host}. */
    static String key(String pointer) {
        StringBuilder out = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                out.append('[').append(part).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(part);
            }
        }
        return out.toString();
    }
}
