package dev.mooring.firstboot.userdata;

import dev.mooring.firstboot.cloudconfig.CloudConfigParser;
import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.firstboot.network.NetworkConfigParser;
import dev.mooring.firstboot.userdata.MimeArchive.Header;
import dev.mooring.firstboot.userdata.MimeArchive.Part;
import dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.NetworkConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.ShellScript;
import dev.mooring.firstboot.yaml.NodeReader;
import dev.mooring.firstboot.yaml.YamlDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Validates user-data files: recognises the kind (cloud-config, shell script, MIME archive,
 * network-config), parses it into typed {@link UserData} and reports every problem with its
 * position. It never throws for bad input; only programming errors escape.
 */
public final class UserDataValidator {

    /** Larger input is refused without being read: cloud-init datasources cap user-data far below this. */
    public static final int MAX_BYTES = 1024 * 1024;
    static final String MAX_BYTES_TEXT = "1 MiB";

    private static final Pattern JINJA = Pattern.compile("##\\s*template:\\s*jinja.*", Pattern.CASE_INSENSITIVE);
    private static final Set<String> SHELL_SCRIPT_TYPES = Set.of("text/x-shellscript", "text/x-shellscript-per-boot",
            "text/x-shellscript-per-instance", "text/x-shellscript-per-once");
    private static final Set<String> NETWORK_KEYS = Set.of("ethernets", "bonds", "bridges", "vlans", "wifis", "renderer", "config");

    /** Kinds of user-data cloud-init knows that Mooring refuses, by their first line. */
    private record UnsupportedKind(String prefix, String what, String hint) {
    }

    private static final List<UnsupportedKind> UNSUPPORTED = List.of(
            new UnsupportedKind("#cloud-config-archive", "a cloud-config archive (#cloud-config-archive)",
                    "write a MIME multipart archive instead (cloud-init devel make-mime), or a single #cloud-config"),
            new UnsupportedKind("#cloud-config-jsonp", "a JSON patch (#cloud-config-jsonp)", "write the complete #cloud-config"),
            new UnsupportedKind("#include", "an include list (#include)",
                    "put the content itself into the user-data; Mooring does not fetch URLs at first boot"),
            new UnsupportedKind("#cloud-boothook", "a boothook (#cloud-boothook)", "use bootcmd in a #cloud-config instead"),
            new UnsupportedKind("#part-handler", "a part handler (#part-handler)", "use a #cloud-config or a shell script (#!)"),
            new UnsupportedKind("#upstart-job", "an upstart job (#upstart-job)", "use a shell script (#!) or runcmd"));

    /** MIME part types cloud-init knows that Mooring refuses. */
    private static final Set<String> UNSUPPORTED_PART_TYPES = Set.of("text/cloud-boothook", "text/part-handler",
            "text/x-include-url", "text/x-include-once-url", "text/cloud-config-archive", "text/cloud-config-jsonp",
            "text/jinja2", "text/upstart-job");

    private final CloudInitKeys keys;
    private final Timezones timezones;

    public UserDataValidator(CloudInitKeys keys, Timezones timezones) {
        this.keys = keys;
        this.timezones = timezones;
    }

    /** cloud-init's bundled key lists and the system's tz database. */
    public static UserDataValidator standard() {
        return new UserDataValidator(CloudInitKeys.bundled(), Timezones.system());
    }

    /** Reads and validates a file; a file over {@link #MAX_BYTES} is refused before it is read. */
    public Validation validate(Path file) {
        String name = file.toString();
        Findings findings = new Findings(Source.file(name));
        try {
            if (Files.isDirectory(file)) {
                findings.fileError("is a directory, not a user-data file", "name the user-data file inside it");
                return result(name, findings, Optional.empty());
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                findings.error(1, 1, "the user-data is " + size + " bytes, more than the limit of " + MAX_BYTES_TEXT,
                        "keep user-data small: ship large files in the image, or compress them (gzip) in write_files");
                return result(name, findings, Optional.empty());
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                // The size may change between the check and the read (a pipe, a growing file).
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            return validate(name, bytes);
        } catch (NoSuchFileException e) {
            findings.fileError("no such file", "check the path");
        } catch (IOException e) {
            findings.fileError("cannot be read: " + e.getMessage(), "check the path and its permissions");
        }
        return result(name, findings, Optional.empty());
    }

    /** Validates user-data given as bytes; {@code name} is the file name used in diagnostics. */
    public Validation validate(String name, byte[] bytes) {
        Findings findings = new Findings(Source.file(name));
        Optional<List<UserDataPart>> parts = UserDataText.decode(bytes, findings)
                .flatMap(text -> document(text, baseName(name), findings, true));
        return result(name, findings, parts);
    }

    /** Validates user-data given as text. */
    public Validation validate(String name, String text) {
        return validate(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Validation result(String name, Findings findings, Optional<List<UserDataPart>> parts) {
        Optional<UserData> data = findings.hasErrors() ? Optional.empty() : parts.map(UserData::new);
        return new Validation(name, data, findings.sorted());
    }

    /** One document of any kind; {@code topLevel} is false inside a MIME archive (no nesting). */
    private Optional<List<UserDataPart>> document(String text, String fileName, Findings findings, boolean topLevel) {
        String firstLine = text.lines().findFirst().orElse("").stripTrailing();
        String source = findings.source().name();
        if (text.isBlank()) {
            findings.error(1, 1, "the user-data is empty", "start it with #cloud-config, or give a shell script starting with #!");
            return Optional.empty();
        }
        if (JINJA.matcher(firstLine).matches()) {
            findings.error(1, 1, "a jinja template (## template: jinja) is not supported by Mooring",
                    "write the values directly; Mooring does not render templates");
            return Optional.empty();
        }
        for (UnsupportedKind kind : UNSUPPORTED) {
            if (firstLine.startsWith(kind.prefix())) {
                findings.error(1, 1, kind.what() + " is not supported by Mooring", kind.hint());
                return Optional.empty();
            }
        }
        if (firstLine.startsWith("#cloud-config")) {
            return cloudConfig(text, findings).map(c -> List.of(c));
        }
        if (firstLine.startsWith("#!")) {
            return shellScript(text, findings).map(s -> List.of(s));
        }
        if (topLevel && MimeArchive.looksLikeMime(text)) {
            return mime(text, findings);
        }
        if (fileName.startsWith("network-config")) {
            return networkConfig(text, findings);
        }
        Optional<Node> root = YamlDocument.compose(text, new Findings(Source.file(source)));
        if (root.isPresent() && root.get() instanceof MappingNode mapping) {
            if (looksLikeNetworkConfig(mapping)) {
                return networkConfig(text, findings);
            }
            findings.error(1, 1, "this is YAML without the #cloud-config header, so cloud-init would ignore it",
                    "add #cloud-config as the first line");
            return Optional.empty();
        }
        findings.error(1, 1, "this is not user-data Mooring can read: the first line is neither #cloud-config nor #!",
                "start a cloud-config with #cloud-config, a script with #!/bin/sh, or give a MIME multipart archive");
        return Optional.empty();
    }

    private Optional<UserDataPart> cloudConfig(String text, Findings findings) {
        // Parts of a MIME archive share one Findings: only this part's YAML errors stop this part.
        int errorsBefore = findings.errorCount();
        Optional<Node> root = YamlDocument.compose(text, findings);
        if (findings.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return CloudConfigParser.parse(root, new NodeReader(findings), keys, timezones)
                .map(config -> new CloudConfigPart(findings.source().name(), config));
    }

    private static Optional<UserDataPart> shellScript(String text, Findings findings) {
        String interpreter = text.lines().findFirst().orElse("").substring(2).strip();
        if (interpreter.isEmpty()) {
            findings.error(1, 1, "the #! line names no interpreter", "write #!/bin/sh (or the path of another interpreter)");
            return Optional.empty();
        }
        return Optional.of(new ShellScript(findings.source().name(), text));
    }

    private Optional<List<UserDataPart>> networkConfig(String text, Findings findings) {
        int errorsBefore = findings.errorCount();
        Optional<Node> root = YamlDocument.compose(text, findings);
        if (findings.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        if (root.isEmpty()) {
            findings.error(1, 1, "the network-config is empty", "write network: {version: 2, ethernets: {...}}");
            return Optional.empty();
        }
        return NetworkConfigParser.parse(root.get(), new NodeReader(findings), keys)
                .map(config -> List.of(new NetworkConfigPart(findings.source().name(), config)));
    }

    /** network: {version: ...} at the top, or version plus a device section at the top. */
    private static boolean looksLikeNetworkConfig(MappingNode root) {
        boolean version = false;
        boolean devices = false;
        for (NodeTuple tuple : root.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
                if (key.getValue().equals("network") && tuple.getValueNode() instanceof MappingNode inner) {
                    return inner.getValue().stream().anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("version"));
                }
                version |= key.getValue().equals("version");
                devices |= NETWORK_KEYS.contains(key.getValue());
            }
        }
        return version && devices;
    }

    private Optional<List<UserDataPart>> mime(String text, Findings findings) {
        Optional<List<Part>> parts = MimeArchive.parse(text, findings);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        List<UserDataPart> out = new ArrayList<>();
        for (Part part : parts.get()) {
            mimePart(part, findings).ifPresent(out::addAll);
        }
        return findings.hasErrors() ? Optional.empty() : Optional.of(out);
    }

    private Optional<List<UserDataPart>> mimePart(Part part, Findings archive) {
        String type = part.mediaType();
        int typeLine = part.header("Content-Type").map(Header::line).orElse(part.firstLine());
        if (type.startsWith("multipart/")) {
            archive.error(typeLine, 1, "part " + part.number() + " is itself a multipart archive, which Mooring does not read",
                    "flatten the archive: put every part at the top level");
            return Optional.empty();
        }
        if (UNSUPPORTED_PART_TYPES.contains(type)) {
            archive.error(typeLine, 1, "part " + part.number() + " is " + type + ", which is not supported by Mooring",
                    "use text/cloud-config or text/x-shellscript parts");
            return Optional.empty();
        }
        if (!type.equals("text/cloud-config") && !SHELL_SCRIPT_TYPES.contains(type) && !type.equals("text/plain")
                && !type.equals("text/x-not-multipart")) {
            archive.error(typeLine, 1, "part " + part.number() + " has the unknown type " + type,
                    "use text/cloud-config or text/x-shellscript");
            return Optional.empty();
        }
        Optional<String> body = partBody(part, archive);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        String encoding = part.header("Content-Transfer-Encoding").map(h -> h.value().toLowerCase(Locale.ROOT)).orElse("7bit");
        Findings findings = encoding.equals("base64")
                ? archive.forSource(new Source(archive.source().name() + "[part " + part.number() + "]", 0))
                : archive.forSource(new Source(archive.source().name(), part.bodyLine() - 1));
        String text = body.get();
        if (type.equals("text/cloud-config")) {
            return cloudConfig(text, findings).map(List::of);
        }
        if (SHELL_SCRIPT_TYPES.contains(type)) {
            if (!text.startsWith("#!")) {
                findings.error(1, 1, "part " + part.number() + " is a shell script without a #! line", "start the script with #!/bin/sh");
                return Optional.empty();
            }
            return shellScript(text, findings).map(List::of);
        }
        return document(text, "", findings, false);
    }

    /** The part's content as text, decoding base64 (and gzip inside it) as cloud-init does. */
    private static Optional<String> partBody(Part part, Findings archive) {
        String encoding = part.header("Content-Transfer-Encoding").map(h -> h.value().toLowerCase(Locale.ROOT)).orElse("7bit");
        int encodingLine = part.header("Content-Transfer-Encoding").map(Header::line).orElse(part.firstLine());
        switch (encoding) {
            case "7bit", "8bit", "binary" -> {
                return Optional.of(part.body());
            }
            case "base64" -> {
                byte[] bytes;
                try {
                    String base64 = part.body().replaceAll("\\s", "");
                    if (base64.length() % 4 != 0) {
                        throw new IllegalArgumentException(base64.length() + " characters, not a multiple of 4");
                    }
                    bytes = Base64.getDecoder().decode(base64);
                } catch (IllegalArgumentException e) {
                    archive.error(part.bodyLine(), 1, "part " + part.number() + " is not valid base64: " + e.getMessage(),
                            "encode the part again, e.g. with cloud-init devel make-mime");
                    return Optional.empty();
                }
                return UserDataText.decode(bytes, archive.forSource(new Source(archive.source().name() + "[part " + part.number() + "]", 0)));
            }
            default -> {
                archive.error(encodingLine, 1, "part " + part.number() + " uses the transfer encoding " + encoding + ", which Mooring does not read",
                        "use base64 or 7bit (cloud-init devel make-mime writes those)");
                return Optional.empty();
            }
        }
    }

    private static String baseName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
