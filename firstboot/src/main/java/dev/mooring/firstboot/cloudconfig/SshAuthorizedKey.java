package dev.mooring.firstboot.cloudconfig;

import java.util.Set;

/**
 * One line for {@code authorized_keys}: optional options, the key type, the key data, a comment.
 *
 * @param type the key type, e.g. {@code ssh-ed25519}
 * @param line the whole line as written
 */
public record SshAuthorizedKey(String type, String line) {

    /** The public key types OpenSSH accepts in authorized_keys, with their certificate forms. */
    public static final Set<String> TYPES = Set.of(
            "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
            "ssh-ed25519-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com",
            "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
            "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
            "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com");
}
