package dev.mooring.firstboot.cloudconfig;

import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses {@code write_files}, decoding each content as cloud-init would (base64, then gunzip), so
 * bad base64 or gzip is reported at the content's line instead of at first boot.
 */
final class WriteFilesParser {

    /** A gzip'd content may not expand beyond this; the user-data itself is at most 1 MiB. */
    static final int MAX_DECODED_CONTENT = 16 * 1024 * 1024;

    private static final Set<String> APPLIED = Set.of("path", "content", "encoding", "owner", "permissions", "append", "defer");
    private static final List<String> ENCODINGS = List.of("text/plain", "b64", "base64", "gz", "gzip",
            "gz+b64", "gz+base64", "gzip+b64", "gzip+base64");
    private static final Pattern OWNER = Pattern.compile("[^:\\s]+(:[^:\\s]+)?");

    private final NodeReader reader;
    private final CloudInitKeys keys;

    WriteFilesParser(NodeReader reader, CloudInitKeys keys) {
        this.reader = reader;
        this.keys = keys;
    }

    List<WriteFile> writeFiles(Node node) {
        List<WriteFile> out = new ArrayList<>();
        Optional<SequenceNode> seq = reader.sequence(node, "write_files");
        if (seq.isEmpty()) {
            return out;
        }
        for (int i = 0; i < seq.get().getValue().size(); i++) {
            String path = "write_files[" + i + "]";
            reader.mapping(seq.get().getValue().get(i), path).flatMap(m -> writeFile(m, path)).ifPresent(out::add);
        }
        return out;
    }

    private Optional<WriteFile> writeFile(MappingNode mapping, String path) {
        int errorsBefore = reader.findings().errorCount();
        MappingFields f = reader.fields(mapping, path, APPLIED, keys.notApplied("write_files", APPLIED));
        Optional<String> filePath = f.required("path", "add path: with the absolute path of the file to write")
                .flatMap(n -> reader.nonBlankString(n, f.path("path")).filter(p -> absolutePath(n, f.path("path"), p)));
        Optional<Node> encodingNode = f.value("encoding");
        Optional<String> encoding = encodingNode.map(n -> reader.string(n, f.path("encoding")).filter(e -> knownEncoding(n, f.path("encoding"), e)))
                .orElse(Optional.of("text/plain"));
        Optional<Node> contentNode = f.value("content");
        Optional<String> owner = f.value("owner").map(n -> reader.string(n, f.path("owner")).filter(o -> {
            if (!OWNER.matcher(o).matches()) {
                reader.error(n, f.path("owner") + ": '" + o + "' is not user or user:group", "write owner: root:root");
                return false;
            }
            return true;
        })).orElse(Optional.of("root:root"));
        int permissions = f.value("permissions").flatMap(n -> permissions(n, f.path("permissions"))).orElse(WriteFile.DEFAULT_PERMISSIONS);
        boolean append = f.value("append").flatMap(n -> reader.bool(n, f.path("append"))).orElse(false);
        boolean defer = f.value("defer").flatMap(n -> reader.bool(n, f.path("defer"))).orElse(false);
        f.finish();
        Optional<byte[]> content = encoding.isEmpty() ? Optional.empty()
                : contentNode.map(n -> content(n, f.path("content"), encoding.get())).orElse(Optional.of(new byte[0]));
        if (reader.findings().errorCount() > errorsBefore || filePath.isEmpty() || content.isEmpty() || owner.isEmpty()) {
            return Optional.empty();
        }
        String[] userGroup = owner.get().split(":", 2);
        return Optional.of(new WriteFile(filePath.get(), content.get(), userGroup[0],
                userGroup.length == 2 ? Optional.of(userGroup[1]) : Optional.empty(), permissions, append, defer));
    }

    private boolean absolutePath(Node at, String what, String path) {
        if (!path.startsWith("/")) {
            reader.error(at, what + ": '" + path + "' is not an absolute path", "write the full path, starting with /");
            return false;
        }
        if (path.endsWith("/")) {
            reader.error(at, what + ": '" + path + "' names a directory", "write the path of the file, not of its directory");
            return false;
        }
        return true;
    }

    private boolean knownEncoding(Node at, String what, String encoding) {
        if (ENCODINGS.contains(encoding)) {
            return true;
        }
        reader.error(at, what + ": '" + encoding + "' is not an encoding cloud-init knows",
                "use one of " + String.join(", ", ENCODINGS));
        return false;
    }

    /**
     * Permissions as cloud-init reads them: a string is octal ('0644', '644', '0o644'); an integer is
     * taken as is, so YAML's 0644 (octal) works and a decimal 644 does not mean what it looks like.
     */
    private Optional<Integer> permissions(Node node, String what) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.STR)) {
            String text = s.getValue().strip();
            String digits = text.startsWith("0o") || text.startsWith("0O") ? text.substring(2) : text;
            if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(c -> c >= '0' && c <= '7')) {
                reader.error(node, what + ": '" + s.getValue() + "' is not an octal file mode", "write it as a quoted octal string, e.g. '0644'");
                return Optional.empty();
            }
            return checkedMode(node, what, Integer.parseInt(digits, 8));
        }
        Optional<Long> value = reader.integer(node, what);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String raw = ((ScalarNode) node).getValue();
        boolean decimal = !raw.startsWith("0") && !raw.startsWith("-") && !raw.startsWith("+");
        if (decimal && value.get() > 0 && raw.chars().allMatch(c -> c >= '0' && c <= '7')) {
            reader.warning(node, what + ": " + raw + " is a decimal number, the mode 0o" + Long.toOctalString(value.get()),
                    "you probably meant '0" + raw + "': write modes as quoted octal strings");
        }
        if (value.get() < 0 || value.get() > 07777) {
            reader.error(node, what + ": " + raw + " is the mode 0o" + Long.toOctalString(Math.abs(value.get())) + ", outside 0o0..0o7777",
                    "write it as a quoted octal string, e.g. '0644'");
            return Optional.empty();
        }
        return Optional.of(value.get().intValue());
    }

    private Optional<Integer> checkedMode(Node node, String what, int mode) {
        if (mode > 07777) {
            reader.error(node, what + ": 0o" + Integer.toOctalString(mode) + " is outside 0o0..0o7777", "write a mode like '0644'");
            return Optional.empty();
        }
        return Optional.of(mode);
    }

    private Optional<byte[]> content(Node node, String what, String encoding) {
        byte[] bytes;
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.BINARY)) {
            Optional<byte[]> decoded = base64(node, what + " (!!binary)", s.getValue());
            if (decoded.isEmpty()) {
                return Optional.empty();
            }
            bytes = decoded.get();
        } else if (NodeReader.isNull(node)) {
            reader.warning(node, what + " is empty, so the file will be empty", "give the content, e.g. content: | followed by indented lines");
            return Optional.of(new byte[0]);
        } else {
            Optional<String> text = reader.string(node, what);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            bytes = text.get().getBytes(StandardCharsets.UTF_8);
        }
        if (encoding.contains("b64") || encoding.contains("base64")) {
            Optional<byte[]> decoded = base64(node, what, new String(bytes, StandardCharsets.ISO_8859_1));
            if (decoded.isEmpty()) {
                return Optional.empty();
            }
            bytes = decoded.get();
        }
        if (encoding.startsWith("gz")) {
            return gunzip(node, what, bytes);
        }
        return Optional.of(bytes);
    }

    /** Like Python's b64decode: whitespace and other non-alphabet characters are skipped. */
    private Optional<byte[]> base64(Node at, String what, String text) {
        StringBuilder clean = new StringBuilder(text.length());
        int skipped = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=') {
                clean.append(c);
            } else if (!Character.isWhitespace(c)) {
                skipped++;
            }
        }
        if (skipped > 0) {
            reader.warning(at, what + " has " + skipped + " character(s) that are not base64; they are skipped, as cloud-init does",
                    "check that the content is complete (a '...' often marks text cut short)");
        }
        if (clean.length() % 4 != 0) {
            reader.error(at, what + " is not valid base64: " + clean.length() + " base64 characters, not a multiple of 4 (cut short, or '=' padding missing)",
                    "encode the file again with: base64 -w0 FILE (gzip -c FILE | base64 -w0 for gz+b64)");
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(clean.toString()));
        } catch (IllegalArgumentException e) {
            reader.error(at, what + " is not valid base64: " + e.getMessage(),
                    "encode the file again with: base64 -w0 FILE (gzip -c FILE | base64 -w0 for gz+b64)");
            return Optional.empty();
        }
    }

    private Optional<byte[]> gunzip(Node at, String what, byte[] compressed) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_DECODED_CONTENT) {
                    reader.error(at, what + " expands to more than " + (MAX_DECODED_CONTENT >> 20) + " MiB",
                            "ship large files in the image, not in user-data");
                    return Optional.empty();
                }
            }
            return Optional.of(out.toByteArray());
        } catch (ZipException e) {
            reader.error(at, what + " is not gzip data (" + e.getMessage() + ")",
                    "compress with: gzip -c FILE | base64 -w0, and use encoding: gz+b64; or drop the gz encoding");
        } catch (EOFException e) {
            reader.error(at, what + " is gzip data that is cut short", "compress the file again: gzip -c FILE | base64 -w0");
        } catch (IOException e) {
            reader.error(at, what + " cannot be decompressed: " + e.getMessage(), "compress the file again: gzip -c FILE | base64 -w0");
        }
        return Optional.empty();
    }
}
