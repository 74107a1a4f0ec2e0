package dev.mooring.firstboot.cloudconfig;

import java.util.List;
import java.util.Optional;

/**
 * A user to create, from one entry of {@code users}.
 *
 * @param groups     supplementary groups
 * @param sudoRules  sudoers rules; empty for none ({@code sudo: false} or {@code null} or absent)
 * @param lockPasswd true (cloud-init's default) disables password login
 * @param passwdHash a crypt(3) hash for /etc/shadow
 */
public record User(String name, Optional<String> gecos, List<String> groups, Optional<String> shell,
                   List<String> sudoRules, boolean lockPasswd, Optional<String> passwdHash,
                   List<SshAuthorizedKey> sshAuthorizedKeys) {

    public User {
        groups = List.copyOf(groups);
        sudoRules = List.copyOf(sudoRules);
        sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
    }

    @Override
    public String toString() {
        // The hash stays out of logs.
        return "User[" + name + ", groups=" + groups + ", sudo=" + sudoRules + ", keys=" + sshAuthorizedKeys.size() + "]";
    }
}
