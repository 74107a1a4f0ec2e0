package dev.mooring.firstboot.cloudconfig;

import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.mooring.MooringSectionParser;
import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns a cloud-config's node tree into a {@link CloudConfig}. Modules Mooring applies are checked
 * strictly; other cloud-init modules are accepted with a warning; any other key is an error.
 */
public final class CloudConfigParser {

    /** The top-level keys Mooring applies. */
    public static final Set<String> APPLIED = Set.of("hostname", "fqdn", "preserve_hostname", "users", "groups",
            "ssh_authorized_keys", "write_files", "bootcmd", "runcmd", "timezone", "ntp", "mooring");

    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    /** Linux HOST_NAME_MAX. */
    private static final int MAX_HOSTNAME = 64;
    private static final int MAX_FQDN = 253;

    private final NodeReader reader;
    private final CloudInitKeys keys;
    private final Timezones timezones;

    private CloudConfigParser(NodeReader reader, CloudInitKeys keys, Timezones timezones) {
        this.reader = reader;
        this.keys = keys;
        this.timezones = timezones;
    }

    /**
     * The typed document; empty when it has errors (all of them reported). A document with no
     * content ({@code #cloud-config} alone) is valid and applies nothing.
     */
    public static Optional<CloudConfig> parse(Optional<Node> root, NodeReader reader, CloudInitKeys keys, Timezones timezones) {
        return new CloudConfigParser(reader, keys, timezones).document(root);
    }

    private Optional<CloudConfig> document(Optional<Node> root) {
        if (root.isEmpty() || NodeReader.isNull(root.get())) {
            return Optional.of(new CloudConfig(Optional.empty(), Optional.empty(), false, true, List.of(), List.of(), List.of(),
                    List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), List.of()));
        }
        if (!(root.get() instanceof MappingNode mapping)) {
            reader.error(root.get(), "a cloud-config must be a mapping of module names to settings, got " + NodeReader.describe(root.get()),
                    "start each top-level line with a module name, e.g. runcmd:");
            return Optional.empty();
        }
        int errorsBefore = reader.findings().errorCount();
        Set<String> notAppliedKeys = keys.notApplied("top-level", APPLIED);
        MappingFields f = reader.fields(mapping, "", APPLIED, notAppliedKeys);

        Optional<String> hostname = f.value("hostname").flatMap(n -> hostName(n, "hostname", MAX_HOSTNAME));
        Optional<String> fqdn = f.value("fqdn").flatMap(n -> hostName(n, "fqdn", MAX_FQDN));
        boolean preserveHostname = f.value("preserve_hostname").flatMap(n -> reader.bool(n, "preserve_hostname")).orElse(false);
        if (preserveHostname) {
            f.keyNode("hostname").or(() -> f.keyNode("fqdn")).ifPresent(n -> reader.warning(n,
                    "hostname and fqdn are ignored because preserve_hostname is true", "remove preserve_hostname: true to set the host name"));
        }
        UsersParser users = new UsersParser(reader, keys);
        Optional<Node> usersNode = f.value("users");
        UsersParser.Users parsedUsers = usersNode.map(users::users).orElse(new UsersParser.Users(true, List.of()));
        List<Group> groups = f.value("groups").map(users::groups).orElse(List.of());
        List<SshAuthorizedKey> authorizedKeys = f.value("ssh_authorized_keys")
                .map(n -> users.authorizedKeys(n, "ssh_authorized_keys")).orElse(List.of());
        List<WriteFile> writeFiles = f.value("write_files").map(n -> new WriteFilesParser(reader, keys).writeFiles(n)).orElse(List.of());
        List<Command> bootcmd = f.value("bootcmd").map(n -> commands(n, "bootcmd", false)).orElse(List.of());
        List<Command> runcmd = f.value("runcmd").map(n -> commands(n, "runcmd", true)).orElse(List.of());
        Optional<String> timezone = f.value("timezone").flatMap(this::timezone);
        Optional<Ntp> ntp = f.value("ntp").flatMap(this::ntp);
        Optional<MooringConfig> mooring = f.value("mooring").flatMap(n -> MooringSectionParser.parse(n, reader));
        f.value("network").ifPresent(n -> reader.error(f.keyNode("network").orElseThrow(),
                "network configuration is not read from user-data",
                "put it in a separate network-config file (NoCloud seed), starting with network: {version: 2}"));
        f.finish();

        if (reader.findings().errorCount() > errorsBefore) {
            return Optional.empty();
        }
        List<String> notApplied = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && notAppliedKeys.contains(key.getValue())) {
                notApplied.add(key.getValue());
            }
        }
        return Optional.of(new CloudConfig(hostname, fqdn, preserveHostname, parsedUsers.includeDefault(), parsedUsers.users(),
                groups, authorizedKeys, writeFiles, bootcmd, runcmd, timezone, ntp, mooring, notApplied));
    }

    private Optional<String> hostName(Node node, String what, int maxLength) {
        Optional<String> name = reader.nonBlankString(node, what);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String n = name.get();
        if (n.length() > maxLength) {
            reader.error(node, what + ": '" + n + "' is " + n.length() + " characters long, more than " + maxLength, "use a shorter name");
            return Optional.empty();
        }
        for (String label : n.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                reader.error(node, what + ": '" + n + "' is not a valid host name"
                        + (label.isEmpty() ? " (it has an empty label)" : label.equals(n) ? "" : " ('" + label + "' is not a valid label)"),
                        "use letters, digits and '-' (not at the start or end of a label), labels separated by dots, at most 63 characters each");
                return Optional.empty();
            }
        }
        return name;
    }

    /** A list of shell lines or argv lists; runcmd also allows empty entries, which cloud-init skips. */
    private List<Command> commands(Node node, String what, boolean nullItemsAllowed) {
        List<Command> out = new ArrayList<>();
        Optional<SequenceNode> seq = reader.sequence(node, what);
        if (seq.isEmpty()) {
            return out;
        }
        List<Node> items = seq.get().getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = what + "[" + i + "]";
            if (nullItemsAllowed && NodeReader.isNull(item)) {
                continue;
            }
            if (item instanceof SequenceNode) {
                reader.strings(item, path).ifPresent(argv -> {
                    if (argv.isEmpty()) {
                        reader.error(item, path + " is an empty command", "write the program and its arguments, e.g. [ls, -l, /]");
                    } else {
                        out.add(new Command.Argv(argv));
                    }
                });
            } else if (item instanceof ScalarNode scalar && !NodeReader.isNull(scalar)) {
                reader.string(item, path).ifPresent(line -> out.add(new Command.Shell(line)));
            } else {
                reader.error(item, path + " must be a command line (a string) or an argv list, got " + NodeReader.describe(item),
                        "write - echo hello, or - [echo, hello]");
            }
        }
        return out;
    }

    private Optional<String> timezone(Node node) {
        Optional<String> zone = reader.nonBlankString(node, "timezone");
        if (zone.isPresent() && !timezones.isKnown(zone.get())) {
            reader.error(node, "timezone: '" + zone.get() + "' is not a known time zone",
                    timezones.checksDatabase() ? "use a name from the tz database, e.g. Europe/Berlin or UTC (see /usr/share/zoneinfo)"
                            : "use a tz database name such as Europe/Berlin or UTC");
            return Optional.empty();
        }
        return zone;
    }

    private Optional<Ntp> ntp(Node node) {
        if (NodeReader.isNull(node)) {
            return Optional.of(new Ntp(true, List.of(), List.of()));
        }
        Optional<MappingNode> mapping = reader.mapping(node, "ntp");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        Set<String> applied = Set.of("enabled", "servers", "pools");
        MappingFields f = reader.fields(mapping.get(), "ntp", applied, keys.notApplied("ntp", applied));
        boolean enabled = f.value("enabled").flatMap(n -> reader.bool(n, "ntp.enabled")).orElse(true);
        List<String> servers = f.value("servers").map(n -> ntpHosts(n, "ntp.servers")).orElse(List.of());
        List<String> pools = f.value("pools").map(n -> ntpHosts(n, "ntp.pools")).orElse(List.of());
        f.finish();
        return Optional.of(new Ntp(enabled, servers, pools));
    }

    private List<String> ntpHosts(Node node, String what) {
        List<String> out = new ArrayList<>();
        reader.sequence(node, what).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                hostName(seq.getValue().get(i), what + "[" + i + "]", MAX_FQDN).ifPresent(out::add);
            }
        });
        return out;
    }
}
