package dev.mooring.firstboot.yaml;

import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.TextPosition;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Composes YAML text into snakeyaml's node tree (YAML 1.1 resolution, as PyYAML and so cloud-init
 * read it) and checks what the tree as a whole must satisfy: one document, no duplicate keys, only
 * the standard tags. Syntax errors become diagnostics at snakeyaml's line and column.
 */
public final class YamlDocument {

    /** Anchors reused as lists or mappings; a few are plenty for real cloud-config, many are a "billion laughs". */
    static final int MAX_COLLECTION_ALIASES = 20;
    static final int MAX_NESTING = 40;

    private static final Set<Tag> STANDARD_TAGS = Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL,
            Tag.BINARY, Tag.TIMESTAMP, Tag.SEQ, Tag.MAP, Tag.SET, Tag.OMAP, Tag.PAIRS, Tag.MERGE);

    private YamlDocument() {
    }

    /**
     * The document's root node; empty when the text holds no document (only comments) or when it
     * is not valid YAML, which is then reported to {@code findings}.
     */
    public static Optional<Node> compose(String text, Findings findings) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(Math.max(text.length() + 1, 1));
        options.setAllowRecursiveKeys(false);
        options.setMergeOnCompose(true);
        Node root;
        try {
            Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            reportSyntax(e, findings);
            return Optional.empty();
        } catch (ReaderException e) {
            TextPosition at = TextPosition.of(text, e.getPosition());
            findings.error(at.line(), at.column(),
                    "the character U+" + String.format("%04X", e.getCodePoint()) + " is not allowed in YAML",
                    "remove it; binary data belongs in write_files content with encoding: b64");
            return Optional.empty();
        } catch (YAMLException e) {
            findings.error(1, 1, "the YAML cannot be read: " + e.getMessage(), "simplify the document (fewer anchors, less nesting)");
            return Optional.empty();
        }
        if (root == null) {
            return Optional.empty();
        }
        checkTree(root, findings);
        return Optional.of(root);
    }

    private static void reportSyntax(MarkedYAMLException e, Findings findings) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem().strip();
        String context = e.getContext();
        String message = "YAML syntax: " + problem
                + (context != null && e.getContextMark() != null && e.getContextMark() != mark
                    ? " (" + context.strip() + " at line " + (e.getContextMark().getLine() + 1) + ", column " + (e.getContextMark().getColumn() + 1) + ")"
                    : "");
        int line = mark == null ? 1 : mark.getLine() + 1;
        int column = mark == null ? 1 : mark.getColumn() + 1;
        findings.error(line, column, message, syntaxHint(problem, e.getContextMark()));
    }

    private static String syntaxHint(String problem, Mark opened) {
        if (problem.contains("\\t") || problem.contains("tab")) {
            return "YAML does not allow tabs for indentation; indent with spaces";
        }
        if (problem.contains("mapping values are not allowed")) {
            return "check the indentation, and quote a value that contains ': '";
        }
        if (problem.contains("expected a single document") || problem.contains("but found another document")) {
            return "cloud-init reads one YAML document; remove the '---' separator and what follows, or merge the documents";
        }
        if (problem.contains("found undefined alias")) {
            return "define the anchor (&name) before using it (*name)";
        }
        if (problem.contains("exceeds the specified max") || problem.contains("Number of aliases")) {
            return "use at most " + MAX_COLLECTION_ALIASES + " aliases of lists or mappings; write the values out";
        }
        if (problem.contains("Nesting Depth")) {
            return "nest at most " + MAX_NESTING + " levels deep";
        }
        if (problem.contains("end of stream") || problem.contains("<stream end>")) {
            return opened == null ? "close the quote or bracket that is still open"
                    : "close the quote or bracket opened at line " + (opened.getLine() + 1) + ", column " + (opened.getColumn() + 1);
        }
        if (problem.contains("could not find expected ':'")) {
            return "write key: value, or quote a value that spans lines";
        }
        return "fix the YAML at this position (indentation, quoting or a missing ':' are the usual causes)";
    }

    /** Duplicate keys and unknown tags, over every node once (aliases share nodes, so this stays linear). */
    private static void checkTree(Node root, Findings findings) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            if (!seen.add(node)) {
                continue;
            }
            if (!STANDARD_TAGS.contains(node.getTag())) {
                findings.error(line(node), column(node), "the tag " + node.getTag() + " is not supported",
                        "remove the tag; cloud-init's safe YAML loader refuses application-specific tags");
            }
            switch (node) {
                case MappingNode mapping -> {
                    Map<String, Node> keys = new HashMap<>();
                    for (NodeTuple tuple : mapping.getValue()) {
                        if (tuple.getKeyNode() instanceof ScalarNode key) {
                            Node first = keys.putIfAbsent(key.getValue(), key);
                            if (first != null) {
                                findings.error(line(key), column(key), "duplicate key '" + key.getValue() + "': first at line "
                                        + line(first) + ", column " + column(first) + ", again at line " + line(key) + ", column " + column(key),
                                        "keep one of them; YAML loaders silently keep only the last one");
                            }
                        }
                        pending.push(tuple.getValueNode());
                        pending.push(tuple.getKeyNode());
                    }
                }
                case SequenceNode sequence -> sequence.getValue().reversed().forEach(pending::push);
                default -> { }
            }
        }
    }

    /** 1-based line of a node's start. */
    public static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** 1-based column of a node's start. */
    public static int column(Node node) {
        return node.getStartMark().getColumn() + 1;
    }
}
