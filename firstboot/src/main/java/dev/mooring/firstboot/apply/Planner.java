package dev.mooring.firstboot.apply;

import dev.mooring.firstboot.accounts.AccountPlanner;
import dev.mooring.firstboot.accounts.AccountPlanner.Accounts;
import dev.mooring.firstboot.apply.Step.Frequency;
import dev.mooring.firstboot.cloudconfig.CloudConfig;
import dev.mooring.firstboot.cloudconfig.Command;
import dev.mooring.firstboot.cloudconfig.Group;
import dev.mooring.firstboot.cloudconfig.Ntp;
import dev.mooring.firstboot.cloudconfig.SshAuthorizedKey;
import dev.mooring.firstboot.cloudconfig.User;
import dev.mooring.firstboot.cloudconfig.WriteFile;
import dev.mooring.firstboot.datasource.MetaData;
import dev.mooring.firstboot.mooring.ClusterSpec;
import dev.mooring.firstboot.mooring.ClusterYaml;
import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.mooring.OverlayYaml;
import dev.mooring.firstboot.network.NetworkConfig;
import dev.mooring.firstboot.network.NetworkdFiles;
import dev.mooring.firstboot.userdata.UserData;
import dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.NetworkConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.ShellScript;
import dev.mooring.overlay.config.OverlayConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The functional core of first boot: (valid user-data, meta-data, the root as it is) → the
 * {@link Plan}. It reads the root only through {@link RootView} and changes nothing. Module order
 * follows cloud-init's stages: bootcmd, write_files, hostname, network, users and groups, ssh,
 * sudo, timezone, ntp, the mooring files, deferred write_files, user scripts, runcmd.
 */
public final class Planner {

    public static final String JOURNAL = "/var/lib/mooring/firstboot";

    private Planner() {
    }

    /** What was planned, and what the user-data asked for that is left alone, with why. */
    public record Result(Plan plan, List<String> notes) {
        public Result {
            notes = List.copyOf(notes);
        }
    }

    /**
     * Plans the whole instance.
     *
     * @param epochDay today, for /etc/shadow's "last changed" (fixed by the caller, so a plan is reproducible)
     * @throws PlanningException for user-data that is valid on its own but does not fit this root
     *                           (e.g. a write_files owner that is no user)
     */
    public static Result plan(UserData userData, MetaData meta, RootView root, long epochDay) throws PlanningException {
        Document d = Document.of(userData);
        PlanBuilder b = new PlanBuilder(root);
        List<String> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();

        for (int i = 0; i < d.bootcmd.size(); i++) {
            b.run("bootcmd[" + i + "]", argv(d.bootcmd.get(i)), Frequency.PER_BOOT);
        }
        // Owners resolve against the accounts as they are after the users module, so resolve in two passes.
        PlanBuilder probe = new PlanBuilder(root);
        Accounts planned = AccountPlanner.plan(probe, d.users, d.includeDefaultUser, d.groups, d.topLevelKeys, epochDay).accounts();
        writeFiles(b, d.writeFiles, false, planned, errors);

        String host = hostname(b, d, meta);
        network(b, d.network);
        AccountPlanner.Result accounts = AccountPlanner.plan(b, d.users, d.includeDefaultUser, d.groups, d.topLevelKeys, epochDay);
        notes.addAll(accounts.notes());
        d.timezone.ifPresent(tz -> timezone(b, tz, notes));
        d.ntp.filter(Ntp::enabled).ifPresent(ntp -> ntp(b, ntp));
        d.mooring.ifPresent(m -> mooringFiles(b, m, host));
        writeFiles(b, d.writeFiles, true, accounts.accounts(), errors);
        for (int i = 0; i < d.scripts.size(); i++) {
            String path = JOURNAL + "/scripts/" + meta.instanceDirectoryName() + "/part-" + i;
            b.write("scripts", path, d.scripts.get(i).getBytes(StandardCharsets.UTF_8), new FileAttributes(0700, 0, 0));
            b.run("scripts[" + i + "]", List.of(path), Frequency.PER_INSTANCE);
        }
        for (int i = 0; i < d.runcmd.size(); i++) {
            b.run("runcmd[" + i + "]", argv(d.runcmd.get(i)), Frequency.PER_INSTANCE);
        }
        if (!errors.isEmpty()) {
            throw new PlanningException(errors);
        }
        return new Result(b.build(meta.instanceId()), notes);
    }

    private static List<String> argv(Command command) {
        return switch (command) {
            case Command.Shell s -> List.of("/bin/sh", "-c", s.line());
            case Command.Argv a -> a.args();
        };
    }

    private static void writeFiles(PlanBuilder b, List<WriteFile> files, boolean deferred, Accounts accounts, List<String> errors) {
        for (int i = 0; i < files.size(); i++) {
            WriteFile f = files.get(i);
            if (f.defer() != deferred) {
                continue;
            }
            String what = "write_files[" + i + "] (" + f.path() + ")";
            OptionalInt uid = accounts.uid(f.owner());
            if (uid.isEmpty()) {
                errors.add(what + ": the owner '" + f.owner() + "' is no user of this root and not created by users:; add the user or change owner");
                continue;
            }
            Optional<FileAttributes> existing = b.attributes(f.path());
            int gid;
            if (f.group().isPresent()) {
                OptionalInt g = accounts.gid(f.group().get());
                if (g.isEmpty()) {
                    errors.add(what + ": the group '" + f.group().get() + "' is no group of this root and not created by groups:; add the group or change owner");
                    continue;
                }
                gid = g.getAsInt();
            } else {
                gid = existing.map(FileAttributes::gid).orElse(0);
            }
            if (b.isDirectory(f.path())) {
                errors.add(what + ": " + f.path() + " is a directory in this root; write_files writes files");
                continue;
            }
            byte[] content = f.content();
            if (f.append()) {
                byte[] before = b.read(f.path()).orElse(new byte[0]);
                byte[] joined = new byte[before.length + content.length];
                System.arraycopy(before, 0, joined, 0, before.length);
                System.arraycopy(content, 0, joined, before.length, content.length);
                content = joined;
            }
            b.write(deferred ? "write_files_deferred" : "write_files", f.path(), content,
                    new FileAttributes(f.permissions(), uid.getAsInt(), gid));
        }
    }

    /** /etc/hostname and the 127.0.1.1 line of /etc/hosts (Debian's convention for the own name). */
    private static String hostname(PlanBuilder b, Document d, MetaData meta) {
        Optional<String> fqdn = d.fqdn.or(() -> d.hostname.filter(h -> h.contains(".")));
        Optional<String> shortName = d.hostname.map(h -> h.contains(".") ? h.substring(0, h.indexOf('.')) : h)
                .or(() -> fqdn.map(f -> f.substring(0, f.indexOf('.'))))
                .or(() -> meta.localHostname().map(h -> h.contains(".") ? h.substring(0, h.indexOf('.')) : h));
        Optional<String> current = b.read("/etc/hostname").map(x -> new String(x, StandardCharsets.UTF_8).strip());
        if (d.preserveHostname || shortName.isEmpty()) {
            return current.filter(s -> !s.isEmpty()).orElse("localhost");
        }
        String name = shortName.get();
        b.write("hostname", "/etc/hostname", (name + "\n").getBytes(StandardCharsets.UTF_8),
                b.attributes("/etc/hostname").orElse(FileAttributes.ROOT_0644));
        String line = "127.0.1.1\t" + fqdn.map(f -> f + " " + name).orElse(name);
        String hosts = b.read("/etc/hosts").map(x -> new String(x, StandardCharsets.UTF_8)).orElse("127.0.0.1\tlocalhost\n");
        StringBuilder out = new StringBuilder();
        boolean replaced = false;
        for (String l : hosts.lines().toList()) {
            if (l.startsWith("127.0.1.1") && (l.length() == 9 || Character.isWhitespace(l.charAt(9)))) {
                if (!replaced) {
                    out.append(line).append('\n');
                    replaced = true;
                }
            } else {
                out.append(l).append('\n');
            }
        }
        if (!replaced) {
            out.append(line).append('\n');
        }
        b.write("hostname", "/etc/hosts", out.toString().getBytes(StandardCharsets.UTF_8),
                b.attributes("/etc/hosts").orElse(FileAttributes.ROOT_0644));
        return name;
    }

    private static void network(PlanBuilder b, Optional<NetworkConfig> network) {
        network.ifPresent(n -> {
            for (Map.Entry<String, String> file : NetworkdFiles.render(n).entrySet()) {
                b.write("network", "/etc/systemd/network/" + file.getKey(), file.getValue().getBytes(StandardCharsets.UTF_8),
                        FileAttributes.ROOT_0644);
            }
        });
    }

    private static void timezone(PlanBuilder b, String tz, List<String> notes) {
        if (!b.exists("/usr/share/zoneinfo/" + tz)) {
            notes.add("timezone: /usr/share/zoneinfo/" + tz + " is missing in this root (install tzdata); set anyway");
        }
        b.symlink("timezone", "/etc/localtime", "/usr/share/zoneinfo/" + tz);
        b.write("timezone", "/etc/timezone", (tz + "\n").getBytes(StandardCharsets.UTF_8), FileAttributes.ROOT_0644);
    }

    /** chrony when the root has it (a sources.d file), else a systemd-timesyncd drop-in. */
    private static void ntp(PlanBuilder b, Ntp ntp) {
        if (ntp.servers().isEmpty() && ntp.pools().isEmpty()) {
            return;
        }
        if (b.exists("/usr/sbin/chronyd")) {
            StringBuilder out = new StringBuilder("# Written by mooring firstboot from ntp: in the user-data.\n");
            ntp.servers().forEach(s -> out.append("server ").append(s).append(" iburst\n"));
            ntp.pools().forEach(p -> out.append("pool ").append(p).append(" iburst\n"));
            b.write("ntp", "/etc/chrony/sources.d/mooring.sources", out.toString().getBytes(StandardCharsets.UTF_8), FileAttributes.ROOT_0644);
        } else {
            List<String> all = new ArrayList<>(ntp.servers());
            all.addAll(ntp.pools());
            String conf = "# Written by mooring firstboot from ntp: in the user-data.\n[Time]\nNTP=" + String.join(" ", all) + "\n";
            b.write("ntp", "/etc/systemd/timesyncd.conf.d/50-mooring.conf", conf.getBytes(StandardCharsets.UTF_8), FileAttributes.ROOT_0644);
        }
    }

    private static void mooringFiles(PlanBuilder b, MooringConfig m, String host) {
        if (!b.isDirectory("/etc/mooring")) {
            b.makeDirectory("mooring", "/etc/mooring", FileAttributes.ROOT_0755);
        }
        ClusterSpec.Role role = m.cluster().map(ClusterSpec::role).orElse(ClusterSpec.Role.WORKER);
        String cluster = m.cluster().map(ClusterSpec::name).orElse(OverlayConfig.DEFAULT_CLUSTER);
        m.cluster().ifPresent(c -> b.write("mooring", ClusterYaml.PATH,
                ClusterYaml.render(c.name(), host, c.role(), c.bootstrap(), m.kubernetes()).getBytes(StandardCharsets.UTF_8),
                new FileAttributes(0600, 0, 0)));
        // Without a key the overlay cannot start before the hub hands one out: registration writes it then.
        m.overlay().filter(o -> o.enabled() && o.key().isPresent()).ifPresent(o -> b.write("mooring", OverlayYaml.PATH,
                OverlayYaml.render(cluster, host, role, o, Optional.empty()).getBytes(StandardCharsets.UTF_8),
                new FileAttributes(0600, 0, 0)));
    }

    /** The cloud-config parts merged (scalars: the last part that sets one; lists: concatenated), and the rest. */
    private record Document(Optional<String> hostname, Optional<String> fqdn, boolean preserveHostname, boolean includeDefaultUser,
                            List<User> users, List<Group> groups, List<SshAuthorizedKey> topLevelKeys, List<WriteFile> writeFiles,
                            List<Command> bootcmd, List<Command> runcmd, Optional<String> timezone, Optional<Ntp> ntp,
                            Optional<MooringConfig> mooring, Optional<NetworkConfig> network, List<String> scripts) {

        static Document of(UserData data) {
            Optional<String> hostname = Optional.empty();
            Optional<String> fqdn = Optional.empty();
            boolean preserve = false;
            boolean defaultUser = false;
            boolean anyCloudConfig = false;
            List<User> users = new ArrayList<>();
            List<Group> groups = new ArrayList<>();
            List<SshAuthorizedKey> keys = new ArrayList<>();
            List<WriteFile> files = new ArrayList<>();
            List<Command> bootcmd = new ArrayList<>();
            List<Command> runcmd = new ArrayList<>();
            Optional<String> tz = Optional.empty();
            Optional<Ntp> ntp = Optional.empty();
            Optional<MooringConfig> mooring = Optional.empty();
            for (CloudConfigPart part : data.ofKind(CloudConfigPart.class)) {
                CloudConfig c = part.config();
                anyCloudConfig = true;
                hostname = c.hostname().isPresent() ? c.hostname() : hostname;
                fqdn = c.fqdn().isPresent() ? c.fqdn() : fqdn;
                preserve |= c.preserveHostname();
                defaultUser |= c.includeDefaultUser();
                users.addAll(c.users());
                groups.addAll(c.groups());
                keys.addAll(c.sshAuthorizedKeys());
                files.addAll(c.writeFiles());
                bootcmd.addAll(c.bootcmd());
                runcmd.addAll(c.runcmd());
                tz = c.timezone().isPresent() ? c.timezone() : tz;
                ntp = c.ntp().isPresent() ? c.ntp() : ntp;
                mooring = c.mooring().isPresent() ? c.mooring() : mooring;
            }
            Optional<NetworkConfig> network = data.ofKind(NetworkConfigPart.class).stream().reduce((a, b) -> b).map(NetworkConfigPart::config);
            List<String> scripts = data.ofKind(ShellScript.class).stream().map(ShellScript::text).toList();
            return new Document(hostname, fqdn, preserve, defaultUser && anyCloudConfig, users, groups, keys, files, bootcmd, runcmd,
                    tz, ntp, mooring, network, scripts);
        }
    }
}
