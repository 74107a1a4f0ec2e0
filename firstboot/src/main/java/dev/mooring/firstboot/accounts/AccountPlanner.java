package dev.mooring.firstboot.accounts;

import dev.mooring.firstboot.apply.FileAttributes;
import dev.mooring.firstboot.apply.PlanBuilder;
import dev.mooring.firstboot.cloudconfig.Group;
import dev.mooring.firstboot.cloudconfig.SshAuthorizedKey;
import dev.mooring.firstboot.cloudconfig.User;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans users and groups the way systemd-sysusers does: by editing /etc/passwd, group, shadow and
 * gshadow directly, so it works on an unpacked root without chroot or shadow-utils. IDs come from
 * the root's /etc/login.defs ranges (highest used + 1, else the lowest free, as useradd picks them);
 * a new user's home is made from /etc/skel and owned by its numeric ids.
 */
public final class AccountPlanner {

    /** Mooring's default user ({@code users: [default]}), like cloud-init's distro user. */
    public static final User DEFAULT_USER = new User("mooring", Optional.of("Mooring"), List.of("adm", "sudo"),
            Optional.of("/bin/bash"), List.of("ALL=(ALL) NOPASSWD:ALL"), true, Optional.empty(), List.of());

    private static final String MODULE = "users";

    private final PlanBuilder root;
    private final LoginDefs defs;
    private final long today;
    private final ColonFile passwd;
    private final ColonFile group;
    private final ColonFile shadow;
    private final ColonFile gshadow;
    private final List<String> notes = new ArrayList<>();

    private AccountPlanner(PlanBuilder root, long epochDay) {
        this.root = root;
        this.defs = root.read("/etc/login.defs").map(LoginDefs::parse).orElse(LoginDefs.DEFAULTS);
        this.today = epochDay;
        this.passwd = ColonFile.parse(root.read("/etc/passwd").orElse(new byte[0]), 7);
        this.group = ColonFile.parse(root.read("/etc/group").orElse(new byte[0]), 4);
        this.shadow = ColonFile.parse(root.read("/etc/shadow").orElse(new byte[0]), 9);
        this.gshadow = ColonFile.parse(root.read("/etc/gshadow").orElse(new byte[0]), 4);
    }

    /** What the planned accounts look like, to resolve owners of files written later. */
    public record Accounts(ColonFile passwd, ColonFile group) {

        public OptionalInt uid(String user) {
            return passwd.find(user).map(e -> OptionalInt.of(Integer.parseInt(e[2]))).orElse(OptionalInt.empty());
        }

        public OptionalInt primaryGid(String user) {
            return passwd.find(user).map(e -> OptionalInt.of(Integer.parseInt(e[3]))).orElse(OptionalInt.empty());
        }

        public OptionalInt gid(String name) {
            return group.find(name).map(e -> OptionalInt.of(Integer.parseInt(e[2]))).orElse(OptionalInt.empty());
        }
    }

    /** The outcome: the accounts as planned, and what was left alone (with why) for the status. */
    public record Result(Accounts accounts, List<String> notes) {
    }

    /**
     * Plans groups, users, homes, ssh keys and sudo rules. Group memberships are applied after the
     * users exist (cloud-init skips members it has not created yet; Mooring does not need to).
     *
     * @param topLevelKeys {@code ssh_authorized_keys}: go to the default user, as in cloud-init
     */
    public static Result plan(PlanBuilder root, List<User> users, boolean includeDefaultUser, List<Group> groups,
                              List<SshAuthorizedKey> topLevelKeys, long epochDay) {
        return new AccountPlanner(root, epochDay).plan(users, includeDefaultUser, groups, topLevelKeys);
    }

    private Result plan(List<User> users, boolean includeDefaultUser, List<Group> groups, List<SshAuthorizedKey> topLevelKeys) {
        List<User> all = new ArrayList<>();
        if (includeDefaultUser) {
            List<SshAuthorizedKey> keys = new ArrayList<>(DEFAULT_USER.sshAuthorizedKeys());
            keys.addAll(topLevelKeys);
            all.add(new User(DEFAULT_USER.name(), DEFAULT_USER.gecos(), DEFAULT_USER.groups(), DEFAULT_USER.shell(),
                    DEFAULT_USER.sudoRules(), DEFAULT_USER.lockPasswd(), DEFAULT_USER.passwdHash(), keys));
        } else if (!topLevelKeys.isEmpty()) {
            notes.add("ssh_authorized_keys: not installed, there is no default user (add 'default' to users)");
        }
        for (User user : users) {
            if (includeDefaultUser && user.name().equals(DEFAULT_USER.name())) {
                continue;
            }
            all.add(user);
        }
        for (Group g : groups) {
            ensureGroup(g.name());
        }
        List<String> created = new ArrayList<>();
        for (User user : all) {
            if (ensureUser(user)) {
                created.add(user.name());
            }
            for (String g : user.groups()) {
                ensureGroup(g);
                addMember(g, user.name());
            }
        }
        for (Group g : groups) {
            for (String member : g.members()) {
                if (passwd.has(member)) {
                    addMember(g.name(), member);
                } else {
                    notes.add("groups: " + member + " is not a user, so not added to " + g.name());
                }
            }
        }
        writeDatabase("/etc/group", group, new FileAttributes(0644, 0, 0));
        writeDatabase("/etc/gshadow", gshadow, new FileAttributes(0640, 0, shadowGid()));
        writeDatabase("/etc/passwd", passwd, new FileAttributes(0644, 0, 0));
        writeDatabase("/etc/shadow", shadow, new FileAttributes(0640, 0, shadowGid()));
        Accounts accounts = new Accounts(passwd, group);
        for (User user : all) {
            String[] entry = passwd.find(user.name()).orElseThrow();
            int uid = Integer.parseInt(entry[2]);
            int gid = Integer.parseInt(entry[3]);
            String home = entry[5];
            if (created.contains(user.name()) && !root.exists(home)) {
                makeHome(home, uid, gid);
            }
            if (!user.sshAuthorizedKeys().isEmpty()) {
                authorizedKeys(home, uid, gid, user.sshAuthorizedKeys());
            }
            if (!user.sudoRules().isEmpty()) {
                sudoRules(user);
            }
        }
        return new Result(accounts, notes);
    }

    private int shadowGid() {
        return group.find("shadow").map(e -> Integer.parseInt(e[2])).orElse(0);
    }

    private void writeDatabase(String path, ColonFile file, FileAttributes fallback) {
        byte[] content = file.render();
        if (!Arrays.equals(content, root.read(path).orElse(null))) {
            root.write(MODULE, path, content, root.attributes(path).orElse(fallback));
        }
    }

    /** Creates the group when missing; its gid is the next free one in GID_MIN..GID_MAX. */
    private int ensureGroup(String name) {
        Optional<String[]> existing = group.find(name);
        if (existing.isPresent()) {
            return Integer.parseInt(existing.get()[2]);
        }
        return addGroup(name, nextId(usedGids(), defs.gidMin(), defs.gidMax(), "GID"));
    }

    private int addGroup(String name, int gid) {
        group.put(name, "x", Integer.toString(gid), "");
        gshadow.put(name, "!", "", "");
        return gid;
    }

    private void addMember(String groupName, String user) {
        String[] g = group.find(groupName).orElseThrow();
        Set<String> members = members(g[3]);
        if (members.add(user)) {
            g[3] = String.join(",", members);
            group.put(g);
        }
        String[] gs = gshadow.find(groupName).orElseGet(() -> new String[] {groupName, "!", "", ""});
        Set<String> shadowMembers = members(gs[3]);
        if (shadowMembers.add(user) || !gshadow.has(groupName)) {
            gs[3] = String.join(",", shadowMembers);
            gshadow.put(gs);
        }
    }

    private static Set<String> members(String field) {
        Set<String> out = new LinkedHashSet<>();
        for (String m : field.split(",")) {
            if (!m.isBlank()) {
                out.add(m.strip());
            }
        }
        return out;
    }

    /** Creates the user when missing (true), or updates the password of an existing one (false). */
    private boolean ensureUser(User user) {
        Optional<String[]> existing = passwd.find(user.name());
        if (existing.isPresent()) {
            if (user.passwdHash().isPresent() || user.lockPasswd()) {
                String[] s = shadow.find(user.name()).orElseGet(() -> newShadow(user.name()));
                s[1] = password(user, user.passwdHash().orElse(s[1]));
                shadow.put(s);
            }
            return false;
        }
        int uid = nextId(usedUids(), defs.uidMin(), defs.uidMax(), "UID");
        int gid;
        Optional<String[]> ownGroup = group.find(user.name());
        if (ownGroup.isPresent()) {
            gid = Integer.parseInt(ownGroup.get()[2]);
        } else {
            // The user's own group takes the same number when it is free, as adduser does.
            gid = usedGids().contains(uid) ? nextId(usedGids(), defs.gidMin(), defs.gidMax(), "GID") : uid;
            addGroup(user.name(), gid);
        }
        String shell = user.shell().orElseGet(this::defaultShell);
        passwd.put(user.name(), "x", Integer.toString(uid), Integer.toString(gid), user.gecos().orElse(""),
                "/home/" + user.name(), shell);
        String[] s = newShadow(user.name());
        s[1] = password(user, user.passwdHash().orElse("!"));
        shadow.put(s);
        return true;
    }

    private String[] newShadow(String name) {
        return new String[] {name, "!", Long.toString(today), Integer.toString(defs.passMinDays()),
                Integer.toString(defs.passMaxDays()), Integer.toString(defs.passWarnAge()), "", "", ""};
    }

    /** lock_passwd prefixes the hash with '!' (what passwd -l does); an unset password stays '!'. */
    private static String password(User user, String hash) {
        String plain = hash.startsWith("!") ? hash.substring(1) : hash;
        if (plain.isEmpty() || plain.equals("*")) {
            return "!" + plain;
        }
        return user.lockPasswd() ? "!" + plain : plain;
    }

    private String defaultShell() {
        return root.read("/etc/default/useradd").map(b -> new String(b, StandardCharsets.UTF_8)).stream()
                .flatMap(String::lines).filter(l -> l.startsWith("SHELL=")).map(l -> l.substring(6).strip())
                .filter(s -> s.startsWith("/")).findFirst().orElse("/bin/sh");
    }

    private Set<Integer> usedUids() {
        Set<Integer> out = new TreeSet<>();
        passwd.entries().forEach(e -> parseId(e[2]).ifPresent(out::add));
        return out;
    }

    private Set<Integer> usedGids() {
        Set<Integer> out = new TreeSet<>();
        group.entries().forEach(e -> parseId(e[2]).ifPresent(out::add));
        return out;
    }

    private static OptionalInt parseId(String text) {
        try {
            return OptionalInt.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static int nextId(Set<Integer> used, int min, int max, String what) {
        int highest = used.stream().filter(id -> id >= min && id <= max).mapToInt(Integer::intValue).max().orElse(min - 1);
        if (highest < max) {
            return highest + 1;
        }
        for (int id = min; id <= max; id++) {
            if (!used.contains(id)) {
                return id;
            }
        }
        throw new AccountsFullException("every " + what + " in " + min + ".." + max + " of /etc/login.defs is taken");
    }

    /** Copies /etc/skel into the new home: directories and files, owned by the user. */
    private void makeHome(String home, int uid, int gid) {
        if (!root.isDirectory("/home")) {
            root.makeDirectory(MODULE, "/home", FileAttributes.ROOT_0755);
        }
        root.makeDirectory(MODULE, home, new FileAttributes(defs.homeMode(), uid, gid));
        copySkel("/etc/skel", home, uid, gid);
    }

    private void copySkel(String from, String to, int uid, int gid) {
        for (String name : root.list(from)) {
            String source = from + "/" + name;
            String target = to + "/" + name;
            int mode = root.attributes(source).map(FileAttributes::mode).orElse(0644);
            if (root.isDirectory(source)) {
                root.makeDirectory(MODULE, target, new FileAttributes(mode, uid, gid));
                copySkel(source, target, uid, gid);
            } else {
                root.read(source).ifPresent(bytes -> root.write(MODULE, target, bytes, new FileAttributes(mode, uid, gid)));
            }
        }
    }

    /** ~/.ssh 0700 and authorized_keys 0600, owned by the user; keys already there are kept. */
    private void authorizedKeys(String home, int uid, int gid, List<SshAuthorizedKey> keys) {
        String dir = home + "/.ssh";
        String file = dir + "/authorized_keys";
        root.makeDirectory("ssh", dir, new FileAttributes(0700, uid, gid));
        String existing = root.read(file).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        StringBuilder content = new StringBuilder(existing);
        if (!existing.isEmpty() && !existing.endsWith("\n")) {
            content.append('\n');
        }
        Set<String> present = new LinkedHashSet<>(existing.lines().map(String::strip).toList());
        for (SshAuthorizedKey key : keys) {
            if (present.add(key.line().strip())) {
                content.append(key.line().strip()).append('\n');
            }
        }
        root.write("ssh", file, content.toString().getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, uid, gid));
    }

    /** /etc/sudoers.d/90-mooring-NAME, 0440: sudo ignores names with a dot, so dots become '_'. */
    private void sudoRules(User user) {
        if (!root.isDirectory("/etc/sudoers.d")) {
            root.makeDirectory("sudo", "/etc/sudoers.d", new FileAttributes(0750, 0, 0));
        }
        StringBuilder content = new StringBuilder("# Written by mooring firstboot from the user-data; edits are kept until the next instance.\n");
        for (String rule : user.sudoRules()) {
            content.append(user.name()).append(' ').append(rule).append('\n');
        }
        root.write("sudo", "/etc/sudoers.d/90-mooring-" + user.name().replace('.', '_'),
                content.toString().getBytes(StandardCharsets.UTF_8), new FileAttributes(0440, 0, 0));
    }

    /** Every id of a login.defs range is taken. */
    public static final class AccountsFullException extends IllegalStateException {
        public AccountsFullException(String message) {
            super(message);
        }
    }
}
