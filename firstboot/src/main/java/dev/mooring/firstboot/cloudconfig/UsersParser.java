package dev.mooring.firstboot.cloudconfig;

import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses {@code users}, {@code groups} and authorized keys in every form cloud-init accepts:
 * users as a list (of names, {@code default} and mappings), a comma-separated string, or a mapping
 * of name to settings; groups as a list, string or mapping of group to members.
 */
final class UsersParser {

    /** The parsed {@code users} value. */
    record Users(boolean includeDefault, List<User> users) {
    }

    private static final Set<String> APPLIED = Set.of("name", "gecos", "groups", "shell", "sudo", "lock_passwd", "passwd",
            "ssh_authorized_keys");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\\$?");
    /** crypt(3) hashes: $id$[rounds=N$]salt$hash for MD5, bcrypt, SHA-256/512, yescrypt, gost-yescrypt, scrypt. */
    private static final Pattern CRYPT_HASH = Pattern.compile("\\$(1|2[abxy]?|5|6|y|gy|7|sha1|md5)\\$[^\\s:]+");

    private final NodeReader reader;
    private final CloudInitKeys keys;

    UsersParser(NodeReader reader, CloudInitKeys keys) {
        this.reader = reader;
        this.keys = keys;
    }

    Users users(Node node) {
        boolean includeDefault = false;
        List<User> users = new ArrayList<>();
        switch (node) {
            case ScalarNode s when NodeReader.isNull(s) -> includeDefault = false;
            case ScalarNode s when s.getTag().equals(Tag.STR) -> {
                for (String name : commaSeparated(s.getValue())) {
                    if (name.equals("default")) {
                        includeDefault = true;
                    } else {
                        userName(s, "users", name).ifPresent(n -> users.add(plainUser(n)));
                    }
                }
            }
            case SequenceNode seq -> {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    includeDefault |= usersItem(seq.getValue().get(i), "users[" + i + "]", users);
                }
            }
            case MappingNode mapping -> {
                for (NodeTuple tuple : mapping.getValue()) {
                    includeDefault |= userByName(tuple, users);
                }
            }
            default -> reader.error(node, "users must be a list, got " + NodeReader.describe(node),
                    "write each user as a list item: - name: alice");
        }
        return new Users(includeDefault, users);
    }

    /** One item of the users list; true when it is the {@code default} user. */
    private boolean usersItem(Node item, String path, List<User> users) {
        switch (item) {
            case ScalarNode s when s.getTag().equals(Tag.STR) -> {
                boolean isDefault = false;
                for (String name : commaSeparated(s.getValue())) {
                    if (name.equals("default")) {
                        isDefault = true;
                    } else {
                        userName(s, path, name).ifPresent(n -> users.add(plainUser(n)));
                    }
                }
                return isDefault;
            }
            case SequenceNode seq -> reader.strings(seq, path).ifPresent(names -> names.forEach(n ->
                    userName(seq, path, n).ifPresent(v -> users.add(plainUser(v)))));
            case MappingNode mapping -> user(mapping, path, Optional.empty()).ifPresent(users::add);
            default -> reader.error(item, path + " must be a user name or a mapping of user settings, got " + NodeReader.describe(item),
                    "write - name: alice, or - default for the image's default user");
        }
        return false;
    }

    /** The old mapping form, {@code users: {alice: {...}}} or {@code alice: true}. */
    private boolean userByName(NodeTuple tuple, List<User> users) {
        Optional<String> name = reader.string(tuple.getKeyNode(), "users key");
        if (name.isEmpty()) {
            return false;
        }
        String path = "users." + name.get();
        if (name.get().equals("default")) {
            return reader.bool(tuple.getValueNode(), path).orElse(false);
        }
        Node value = tuple.getValueNode();
        if (value instanceof MappingNode mapping) {
            userName(tuple.getKeyNode(), path, name.get()).flatMap(n -> user(mapping, path, Optional.of(n))).ifPresent(users::add);
        } else if (reader.bool(value, path).orElse(false)) {
            userName(tuple.getKeyNode(), path, name.get()).ifPresent(n -> users.add(plainUser(n)));
        }
        return false;
    }

    private Optional<User> user(MappingNode mapping, String path, Optional<String> nameFromKey) {
        int errorsBefore = reader.findings().errorCount();
        MappingFields f = reader.fields(mapping, path, APPLIED, keys.notApplied("user", APPLIED));
        Optional<String> name = nameFromKey.isPresent() ? nameFromKey : f.value("name").flatMap(n -> reader.nonBlankString(n, f.path("name"))
                .flatMap(v -> userName(n, f.path("name"), v)));
        if (nameFromKey.isEmpty() && !f.has("name") && !f.has("snapuser")) {
            reader.error(mapping, path + " has no name", "add name: with the login name");
        }
        Optional<String> gecos = f.value("gecos").flatMap(n -> reader.string(n, f.path("gecos")));
        List<String> groups = f.value("groups").map(n -> memberOf(n, f.path("groups"))).orElse(List.of());
        Optional<String> shell = f.value("shell").flatMap(n -> reader.nonBlankString(n, f.path("shell")).filter(s -> {
            if (!s.startsWith("/")) {
                reader.error(n, f.path("shell") + ": '" + s + "' is not an absolute path", "write the shell's full path, e.g. /bin/bash");
                return false;
            }
            return true;
        }));
        List<String> sudo = f.value("sudo").map(n -> sudoRules(n, f.path("sudo"))).orElse(List.of());
        boolean lockPasswd = f.value("lock_passwd", "lock-passwd").flatMap(n -> reader.bool(n, f.path("lock_passwd"))).orElse(true);
        Optional<String> passwd = f.value("passwd").flatMap(n -> reader.nonBlankString(n, f.path("passwd")).map(p -> {
            if (!CRYPT_HASH.matcher(p).matches()) {
                reader.warning(n, f.path("passwd") + " does not look like a crypt(3) hash; it is written to /etc/shadow as is, so no password would match it",
                        "generate a hash with: mkpasswd --method=SHA-512, or use plain_text_passwd");
            }
            return p;
        }));
        List<SshAuthorizedKey> authorizedKeys = f.value("ssh_authorized_keys", "ssh-authorized-keys")
                .map(n -> authorizedKeys(n, f.path("ssh_authorized_keys"))).orElse(List.of());
        f.finish();
        if (name.isEmpty() || reader.findings().errorCount() > errorsBefore) {
            // A snapuser-only entry is a cloud-init feature Mooring does not apply (warned by finish()).
            return Optional.empty();
        }
        return Optional.of(new User(name.get(), gecos, groups, shell, sudo, lockPasswd, passwd, authorizedKeys));
    }

    private Optional<String> userName(Node at, String what, String name) {
        if (!USER_NAME.matcher(name).matches()) {
            reader.error(at, what + ": '" + name + "' is not a valid user name",
                    "use letters, digits, '_', '-' and '.', at most 32 characters, not starting with '-' or '.'");
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private static User plainUser(String name) {
        return new User(name, Optional.empty(), List.of(), Optional.empty(), List.of(), true, Optional.empty(), List.of());
    }

    /** A user's groups: "a, b", a list, or (deprecated) a mapping whose keys are the groups. */
    private List<String> memberOf(Node node, String what) {
        return switch (node) {
            case ScalarNode s when s.getTag().equals(Tag.STR) -> commaSeparated(s.getValue());
            case SequenceNode seq -> reader.strings(seq, what).orElse(List.of());
            case MappingNode mapping -> {
                reader.warning(mapping, what + " as a mapping is deprecated in cloud-init", "write the groups as a list or a comma-separated string");
                List<String> out = new ArrayList<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    reader.string(tuple.getKeyNode(), what).ifPresent(out::add);
                }
                yield out;
            }
            default -> {
                reader.error(node, what + " must be a comma-separated string or a list of groups, got " + NodeReader.describe(node),
                        "write groups: [adm, sudo] or groups: adm, sudo");
                yield List.of();
            }
        };
    }

    /** sudo: a rule, a list of rules, or false/null for none. */
    private List<String> sudoRules(Node node, String what) {
        return switch (node) {
            case ScalarNode s when NodeReader.isNull(s) -> List.of();
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> {
                if (reader.bool(s, what).orElse(false)) {
                    reader.error(s, what + ": true is not a sudo rule", "write the rule, e.g. sudo: 'ALL=(ALL) NOPASSWD:ALL'");
                }
                yield List.of();
            }
            case ScalarNode s -> reader.nonBlankString(s, what).map(List::of).orElse(List.of());
            case SequenceNode seq -> {
                List<String> rules = new ArrayList<>();
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Node item = seq.getValue().get(i);
                    if (!NodeReader.isNull(item)) {
                        reader.nonBlankString(item, what + "[" + i + "]").ifPresent(rules::add);
                    }
                }
                yield rules;
            }
            default -> {
                reader.error(node, what + " must be a sudo rule or a list of rules, got " + NodeReader.describe(node),
                        "write sudo: 'ALL=(ALL) NOPASSWD:ALL'");
                yield List.of();
            }
        };
    }

    List<SshAuthorizedKey> authorizedKeys(Node node, String what) {
        List<SshAuthorizedKey> out = new ArrayList<>();
        reader.sequence(node, what).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String path = what + "[" + i + "]";
                reader.nonBlankString(item, path).flatMap(line -> authorizedKey(item, path, line.strip())).ifPresent(out::add);
            }
        });
        return out;
    }

    /** An authorized_keys line: [options] type base64 [comment]. */
    private Optional<SshAuthorizedKey> authorizedKey(Node at, String what, String line) {
        List<String> tokens = Arrays.asList(line.split("\\s+"));
        for (int i = 0; i < tokens.size(); i++) {
            if (SshAuthorizedKey.TYPES.contains(tokens.get(i))) {
                if (i + 1 >= tokens.size() || !tokens.get(i + 1).matches("[A-Za-z0-9+/]+=*")) {
                    reader.error(at, what + ": the " + tokens.get(i) + " key has no key data after its type",
                            "paste the whole line of the .pub file: type, key data and comment");
                    return Optional.empty();
                }
                return Optional.of(new SshAuthorizedKey(tokens.get(i), line));
            }
        }
        if (line.startsWith("-----BEGIN")) {
            reader.error(at, what + " is a private key, not a public key", "paste the public key (the .pub file), and keep the private key secret");
            return Optional.empty();
        }
        reader.error(at, what + ": '" + NodeReader.abbreviate(line) + "' does not contain an SSH public key type",
                "paste the whole line of the .pub file; it starts with ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256");
        return Optional.empty();
    }

    /** groups: a list of names and {name: members} mappings, a comma-separated string, or one mapping. */
    List<Group> groups(Node node) {
        List<Group> out = new ArrayList<>();
        switch (node) {
            case ScalarNode s when s.getTag().equals(Tag.STR) -> commaSeparated(s.getValue()).forEach(g ->
                    groupName(s, "groups", g).ifPresent(n -> out.add(new Group(n, List.of()))));
            case SequenceNode seq -> {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Node item = seq.getValue().get(i);
                    String path = "groups[" + i + "]";
                    switch (item) {
                        case ScalarNode s when s.getTag().equals(Tag.STR) ->
                                groupName(s, path, s.getValue().strip()).ifPresent(n -> out.add(new Group(n, List.of())));
                        case MappingNode m -> groupsWithMembers(m, path, out);
                        default -> reader.error(item, path + " must be a group name or a mapping of group to members, got "
                                + NodeReader.describe(item), "write - admins: [alice, bob], or - admins");
                    }
                }
            }
            case MappingNode m -> groupsWithMembers(m, "groups", out);
            default -> reader.error(node, "groups must be a list, got " + NodeReader.describe(node), "write groups: [admins, operators]");
        }
        return out;
    }

    private void groupsWithMembers(MappingNode mapping, String path, List<Group> out) {
        for (NodeTuple tuple : mapping.getValue()) {
            Optional<String> name = reader.string(tuple.getKeyNode(), path + " group name").flatMap(n -> groupName(tuple.getKeyNode(), path, n));
            String what = path + "." + name.orElse("?");
            Node value = tuple.getValueNode();
            List<String> members = switch (value) {
                case ScalarNode s when NodeReader.isNull(s) -> List.of();
                case ScalarNode s when s.getTag().equals(Tag.STR) -> commaSeparated(s.getValue());
                case SequenceNode seq -> reader.strings(seq, what).orElse(List.of());
                default -> {
                    reader.error(value, what + " must list the group's members, got " + NodeReader.describe(value), "write admins: [alice, bob]");
                    yield List.of();
                }
            };
            name.ifPresent(n -> out.add(new Group(n, members)));
        }
    }

    private Optional<String> groupName(Node at, String what, String name) {
        if (!USER_NAME.matcher(name).matches()) {
            reader.error(at, what + ": '" + name + "' is not a valid group name",
                    "use letters, digits, '_', '-' and '.', at most 32 characters, not starting with '-' or '.'");
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private static List<String> commaSeparated(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
