package dev.mooring.firstboot.cloudconfig;

import dev.mooring.firstboot.mooring.MooringConfig;
import java.util.List;
import java.util.Optional;

/**
 * A {@code #cloud-config} document in typed form: the modules Mooring applies, and the names of
 * the cloud-init modules it was given but does not apply.
 *
 * @param includeDefaultUser cloud-init's distro default user is created ({@code users} absent or
 *                           listing {@code default})
 * @param notApplied         top-level cloud-init keys present in the document that Mooring ignores
 */
public record CloudConfig(Optional<String> hostname, Optional<String> fqdn, boolean preserveHostname,
                          boolean includeDefaultUser, List<User> users, List<Group> groups,
                          List<SshAuthorizedKey> sshAuthorizedKeys, List<WriteFile> writeFiles,
                          List<Command> bootcmd, List<Command> runcmd, Optional<String> timezone,
                          Optional<Ntp> ntp, Optional<MooringConfig> mooring, List<String> notApplied) {

    public CloudConfig {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
        sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
        writeFiles = List.copyOf(writeFiles);
        bootcmd = List.copyOf(bootcmd);
        runcmd = List.copyOf(runcmd);
        notApplied = List.copyOf(notApplied);
    }
}
