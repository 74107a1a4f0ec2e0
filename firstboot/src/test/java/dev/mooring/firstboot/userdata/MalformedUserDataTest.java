package dev.mooring.firstboot.userdata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed user-data, one mistake per case: each must be invalid with an error at the expected
 * line and column whose message contains the expected fragment, and every diagnostic has a hint.
 */
class MalformedUserDataTest {

    private static final String KEY = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private static final String CC = "#cloud-config\n";

    /** One malformed input: file name, content, where the error is and what it says. */
    record Case(String name, String file, byte[] input, int line, int column, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case cc(String name, String body, int line, int column, String message) {
        return new Case(name, "user-data", (CC + body).getBytes(StandardCharsets.UTF_8), line, column, message);
    }

    static Case raw(String name, String file, String text, int line, int column, String message) {
        return new Case(name, file, text.getBytes(StandardCharsets.UTF_8), line, column, message);
    }

    static Case bytes(String name, byte[] input, int line, int column, String message) {
        return new Case(name, "user-data", input, line, column, message);
    }

    /** A valid mooring section with one overlay line replaced or added. */
    static String overlay(String lines) {
        return "mooring:\n  overlay:\n    key: " + KEY + "\n" + lines;
    }

    static String mime(String... parts) {
        StringBuilder out = new StringBuilder("Content-Type: multipart/mixed; boundary=\"XX\"\nMIME-Version: 1.0\n\n");
        for (String part : parts) {
            out.append("--XX\n").append(part).append('\n');
        }
        return out.append("--XX--\n").toString();
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // YAML syntax and structure
        c.add(cc("tab indentation", "users:\n\t- name: a\n", 3, 1, "YAML syntax"));
        c.add(cc("unclosed quote", "hostname: \"abc\nfqdn: x\n", 4, 1, "YAML syntax"));
        c.add(cc("colon inside plain value", "runcmd:\n  - echo a: b: c\n", 3, 14, "mapping values are not allowed"));
        c.add(cc("bad indentation", "hostname: a\n  fqdn: b\n", 3, 7, "mapping values are not allowed"));
        c.add(cc("two documents", "hostname: a\n---\nfqdn: b\n", 3, 1, "expected a single document"));
        c.add(cc("undefined alias", "runcmd: *commands\n", 2, 9, "undefined alias"));
        c.add(cc("alias bomb", aliasBomb(), 1, 1, "Number of aliases"));
        c.add(cc("deep nesting", "runcmd: " + "[".repeat(60) + "]".repeat(60) + "\n", 1, 1, "Nesting Depth"));
        c.add(cc("application tag", "hostname: !custom abc\n", 2, 11, "tag !custom"));
        c.add(cc("control character", "hostname: a\u0007b\n", 2, 12, "U+0007"));
        c.add(cc("duplicate top-level key", "hostname: a\nruncmd: []\nhostname: b\n", 4, 1, "duplicate key 'hostname': first at line 2, column 1"));
        c.add(cc("duplicate key in a user", "users:\n  - name: a\n    shell: /bin/sh\n    shell: /bin/bash\n", 5, 5, "duplicate key 'shell'"));
        c.add(cc("not a mapping", "- runcmd\n", 2, 1, "must be a mapping of module names"));
        c.add(cc("unknown top-level key", "runcmdd:\n  - ls\n", 2, 1, "unknown key 'runcmdd'"));
        c.add(cc("network in cloud-config", "network:\n  version: 2\n", 2, 1, "network configuration is not read from user-data"));
        // hostname, fqdn, timezone, ntp
        c.add(cc("hostname is a number", "hostname: 123\n", 2, 11, "hostname must be a string, got the integer 123"));
        c.add(cc("hostname with underscore", "hostname: my_host\n", 2, 11, "not a valid host name"));
        c.add(cc("hostname too long", "hostname: " + "a".repeat(65) + "\n", 2, 11, "more than 64"));
        c.add(cc("fqdn with empty label", "fqdn: a..example.com\n", 2, 7, "empty label"));
        c.add(cc("preserve_hostname quoted", "preserve_hostname: 'yes'\n", 2, 20, "preserve_hostname must be a boolean"));
        c.add(cc("timezone with a space", "timezone: Europe/Ber lin\n", 2, 11, "not a known time zone"));
        c.add(cc("ntp servers not a list", "ntp:\n  servers: pool.ntp.org\n", 3, 12, "ntp.servers must be a list"));
        c.add(cc("ntp enabled not a boolean", "ntp:\n  enabled: maybe\n", 3, 12, "ntp.enabled must be a boolean"));
        c.add(cc("ntp key misspelt", "ntp:\n  sevrers: [a.example]\n", 3, 3, "unknown key 'sevrers' in ntp"));
        // users and groups
        c.add(cc("users is a number", "users: 5\n", 2, 8, "users must be a list"));
        c.add(cc("user without a name", "users:\n  - gecos: Alice\n", 3, 5, "has no name"));
        c.add(cc("user key misspelt", "users:\n  - name: alice\n    shel: /bin/sh\n", 4, 5, "unknown key 'shel' in users[0]"));
        c.add(cc("relative shell", "users:\n  - name: alice\n    shell: bash\n", 4, 12, "not an absolute path"));
        c.add(cc("sudo true", "users:\n  - name: alice\n    sudo: true\n", 4, 11, "true is not a sudo rule"));
        c.add(cc("lock_passwd not a boolean", "users:\n  - name: alice\n    lock_passwd: maybe\n", 4, 18, "lock_passwd must be a boolean"));
        c.add(cc("bad user name", "users:\n  - name: -alice\n", 3, 11, "not a valid user name"));
        c.add(cc("user groups as a number", "users:\n  - name: alice\n    groups: 7\n", 4, 13, "must be a comma-separated string or a list"));
        c.add(cc("not an ssh key", "users:\n  - name: alice\n    ssh_authorized_keys:\n      - hello world\n", 5, 9, "does not contain an SSH public key type"));
        c.add(cc("ssh key without data", "ssh_authorized_keys:\n  - ssh-ed25519\n", 3, 5, "has no key data"));
        c.add(cc("private key pasted", "ssh_authorized_keys:\n  - '-----BEGIN OPENSSH PRIVATE KEY-----'\n", 3, 5, "is a private key"));
        c.add(cc("ssh_authorized_keys is a string", "ssh_authorized_keys: ssh-ed25519 AAAA\n", 2, 22, "ssh_authorized_keys must be a list"));
        c.add(cc("groups is a number", "groups: 5\n", 2, 9, "groups must be a list"));
        c.add(cc("group members as a mapping", "groups:\n  - admins: {alice: x}\n", 3, 13, "must list the group's members"));
        // write_files
        c.add(cc("write_files is a mapping", "write_files:\n  path: /etc/x\n", 3, 3, "write_files must be a list"));
        c.add(cc("file without path", "write_files:\n  - content: x\n", 3, 5, "has no path"));
        c.add(cc("relative path", "write_files:\n  - path: etc/motd\n", 3, 11, "not an absolute path"));
        c.add(cc("unknown encoding", "write_files:\n  - path: /etc/motd\n    encoding: b64x\n    content: aGk=\n", 4, 15, "'b64x' is not an encoding"));
        c.add(cc("bad base64", "write_files:\n  - path: /etc/motd\n    encoding: b64\n    content: abc\n", 5, 14, "is not valid base64"));
        c.add(cc("not gzip", "write_files:\n  - path: /etc/motd\n    encoding: gz+b64\n    content: aGVsbG8=\n", 5, 14, "is not gzip data"));
        c.add(cc("permissions not octal", "write_files:\n  - path: /etc/motd\n    permissions: '0999'\n", 4, 18, "not an octal file mode"));
        c.add(cc("permissions too large", "write_files:\n  - path: /etc/motd\n    permissions: 99999\n", 4, 18, "outside 0o0..0o7777"));
        c.add(cc("permissions as a list", "write_files:\n  - path: /etc/motd\n    permissions: [6, 4, 4]\n", 4, 18, "must be an integer"));
        c.add(cc("bad owner", "write_files:\n  - path: /etc/motd\n    owner: a:b:c\n", 4, 12, "is not user or user:group"));
        c.add(cc("append not a boolean", "write_files:\n  - path: /etc/motd\n    append: sometimes\n", 4, 13, "append must be a boolean"));
        c.add(cc("write_files key misspelt", "write_files:\n  - path: /etc/motd\n    contnet: hi\n", 4, 5, "unknown key 'contnet'"));
        c.add(cc("content is a number", "write_files:\n  - path: /etc/motd\n    content: 42\n", 4, 14, "content must be a string"));
        // bootcmd, runcmd
        c.add(cc("runcmd is a string", "runcmd: echo hi\n", 2, 9, "runcmd must be a list"));
        c.add(cc("runcmd item is a mapping", "runcmd:\n  - {echo: hi}\n", 3, 5, "must be a command line"));
        c.add(cc("bootcmd argv with a number", "bootcmd:\n  - [sleep, 1]\n", 3, 13, "bootcmd[0][1] must be a string"));
        c.add(cc("empty argv", "runcmd:\n  - []\n", 3, 5, "is an empty command"));
        // mooring: section
        c.add(cc("mooring key misspelt", "mooring:\n  overlya: {}\n", 3, 3, "unknown key 'overlya' in mooring"));
        c.add(cc("mooring is a list", "mooring:\n  - overlay\n", 3, 3, "mooring must be a mapping"));
        c.add(cc("cidr with host bits", overlay("    cidr: 100.64.192.1/23\n"), 5, 11, "has host bits set"));
        c.add(cc("cidr too small", overlay("    cidr: 100.64.192.0/30\n"), 5, 11, "too small"));
        c.add(cc("cidr too large", overlay("    cidr: 100.0.0.0/7\n"), 5, 11, "larger than a /8"));
        c.add(cc("cidr without prefix", overlay("    cidr: 100.64.192.0\n"), 5, 11, "has no prefix length"));
        c.add(cc("vip outside the cidr", overlay("    vip: 10.0.0.1\n"), 5, 10, "is outside the overlay CIDR"));
        c.add(cc("vip is the network address", overlay("    vip: 100.64.192.0\n"), 5, 10, "is the network address"));
        c.add(cc("vip is the broadcast address", overlay("    vip: 100.64.193.255\n"), 5, 10, "is the broadcast address"));
        c.add(cc("vip not an address", overlay("    vip: 100.64.192.256\n"), 5, 10, "larger than 255"));
        c.add(cc("vni 0", overlay("    vni: 0\n"), 5, 10, "VNI 0 is outside 1..16777215"));
        c.add(cc("vni 16777216", overlay("    vni: 16777216\n"), 5, 10, "VNI 16777216 is outside"));
        c.add(cc("vni quoted", overlay("    vni: '4242'\n"), 5, 10, "vni must be an integer"));
        c.add(cc("port 0", overlay("    port: 0\n"), 5, 11, "port 0 is outside 1..65535"));
        c.add(cc("port 70000", overlay("    port: 70000\n"), 5, 11, "port 70000 is outside"));
        c.add(cc("flannel's port", overlay("    port: 8472\n"), 5, 11, "flannel"));
        c.add(cc("mtu too small", overlay("    mtu: 100\n"), 5, 10, "MTU 100 is outside"));
        c.add(cc("short key", "mooring:\n  overlay:\n    key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\n", 4, 10, "decodes to 16 bytes"));
        c.add(cc("key not base64", "mooring:\n  overlay:\n    key: not*base64\n", 4, 10, "is not base64"));
        c.add(cc("no key and no registration", "mooring:\n  overlay:\n    cidr: 100.64.192.0/23\n", 4, 5, "has no key"));
        c.add(cc("underlay name too long", overlay("    underlay: this-name-is-too-long\n"), 5, 15, "longer than 15"));
        c.add(cc("static address outside", overlay("    address: 100.64.200.1\n"), 5, 14, "the static address 100.64.200.1 is outside"));
        c.add(cc("static address is the vip", overlay("    address: 100.64.192.1\n"), 5, 14, "is the VIP"));
        c.add(cc("overlay enabled quoted", overlay("    enabled: 'no'\n"), 5, 14, "enabled must be a boolean"));
        c.add(cc("unknown role", "mooring:\n  cluster:\n    name: edge\n    role: master\n", 5, 11, "'master' is not one of control-plane, worker"));
        c.add(cc("worker bootstraps", "mooring:\n  cluster:\n    name: edge\n    role: worker\n    bootstrap: true\n", 6, 16, "only a control-plane host creates the cluster"));
        c.add(cc("cluster name not a label", "mooring:\n  cluster:\n    name: Store_1\n", 4, 11, "not a DNS-1123 label"));
        c.add(cc("cluster without name", "mooring:\n  cluster:\n    role: worker\n", 4, 5, "has no name"));
        c.add(cc("registration ftp url", "mooring:\n  registration:\n    url: ftp://hub.example\n    token: abc\n", 4, 10, "not an http or https URL"));
        c.add(cc("token with a space", "mooring:\n  registration:\n    url: https://hub.example\n    token: abc def\n", 5, 12, "contains whitespace"));
        c.add(cc("registration without token", "mooring:\n  registration:\n    url: https://hub.example\n", 4, 5, "has no token"));
        c.add(cc("ca neither PEM nor path", "mooring:\n  registration:\n    url: https://hub.example\n    token: abc\n    ca: hello\n", 6, 9, "neither a PEM certificate nor an absolute file path"));
        c.add(cc("unknown distribution", "mooring:\n  kubernetes:\n    distribution: k8s\n", 4, 19, "'k8s' is not one of k3s, kubeadm, etcd"));
        c.add(cc("kubernetes version without v", "mooring:\n  kubernetes:\n    distribution: k3s\n    version: 1.31.4\n", 5, 14, "is not a Kubernetes version"));
        c.add(cc("k3s version for kubeadm", "mooring:\n  kubernetes:\n    distribution: kubeadm\n    version: v1.31.4+k3s1\n", 5, 14, "is a k3s release"));
        // input kinds
        c.add(raw("YAML without header", "user-data", "hostname: edge\n", 1, 1, "YAML without the #cloud-config header"));
        c.add(raw("include", "user-data", "#include\nhttps://example.com/x\n", 1, 1, "an include list (#include) is not supported by Mooring"));
        c.add(raw("boothook", "user-data", "#cloud-boothook\necho hi\n", 1, 1, "a boothook (#cloud-boothook) is not supported by Mooring"));
        c.add(raw("jinja template", "user-data", "## template: jinja\n#cloud-config\n", 1, 1, "a jinja template (## template: jinja) is not supported by Mooring"));
        c.add(raw("part handler", "user-data", "#part-handler\ndef list_types(): pass\n", 1, 1, "not supported by Mooring"));
        c.add(raw("cloud-config archive", "user-data", "#cloud-config-archive\n- type: foo\n", 1, 1, "not supported by Mooring"));
        c.add(raw("plain text", "user-data", "hello there\n", 1, 1, "neither #cloud-config nor #!"));
        c.add(raw("empty", "user-data", "\n\n", 1, 1, "the user-data is empty"));
        c.add(raw("script without interpreter", "user-data", "#!\necho hi\n", 1, 1, "names no interpreter"));
        c.add(raw("NUL byte", "user-data", "#cloud-config\nhostname: a\u0000b\n", 2, 12, "contains a NUL byte"));
        c.add(bytes("invalid UTF-8", concat("#cloud-config\nhostname: caf".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xe9, '\n'}), 2, 14, "not UTF-8"));
        c.add(bytes("too big", tooBig(), 1, 1, "more than the limit of 1 MiB"));
        c.add(bytes("corrupt gzip", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2}, 1, 1, "cannot be decompressed"));
        // MIME archives (line numbers are the archive's)
        c.add(raw("multipart without boundary", "user-data", "Content-Type: multipart/mixed\nMIME-Version: 1.0\n\nbody\n", 1, 1, "has no boundary"));
        c.add(raw("archive cut short", "user-data", mime("Content-Type: text/cloud-config\n\n#cloud-config\nhostname: a").replace("--XX--\n", ""), 8, 1, "closing boundary"));
        c.add(raw("boothook part", "user-data", mime("Content-Type: text/cloud-boothook\n\necho hi"), 5, 1, "text/cloud-boothook, which is not supported"));
        c.add(raw("error inside a cloud-config part", "user-data",
                mime("Content-Type: text/x-shellscript\n\n#!/bin/sh\necho hi", "Content-Type: text/cloud-config\n\n#cloud-config\nhostname: 12"), 13, 11, "hostname must be a string"));
        c.add(raw("bad base64 part", "user-data", mime("Content-Type: text/cloud-config\nContent-Transfer-Encoding: base64\n\n@@@@"), 8, 1, "is not valid base64"));
        c.add(raw("quoted-printable part", "user-data", mime("Content-Type: text/cloud-config\nContent-Transfer-Encoding: quoted-printable\n\n#cloud-config"), 6, 1, "transfer encoding quoted-printable"));
        c.add(raw("script part without #!", "user-data", mime("Content-Type: text/x-shellscript\n\necho hi"), 7, 1, "without a #! line"));
        c.add(raw("unknown part type", "user-data", mime("Content-Type: application/x-foo\n\nabc"), 5, 1, "unknown type application/x-foo"));
        // network-config
        c.add(raw("network-config version 1", "network-config", "network:\n  version: 1\n  config: []\n", 2, 12, "version 1 is not supported by Mooring"));
        c.add(raw("network-config without version", "network-config", "ethernets: {}\n", 1, 1, "has no version"));
        c.add(raw("address without prefix", "network-config", "version: 2\nethernets:\n  eth0:\n    addresses: [198.51.100.7]\n", 4, 17, "has no prefix length"));
        c.add(raw("gateway octet too large", "network-config", "version: 2\nethernets:\n  eth0:\n    gateway4: 198.51.100.300\n", 4, 15, "300 is larger than 255"));
        c.add(raw("bad MAC", "network-config", "version: 2\nethernets:\n  nic:\n    match:\n      macaddress: zz:00:00:00:00:01\n", 5, 19, "is not a MAC address"));
        c.add(raw("set-name without match", "network-config", "version: 2\nethernets:\n  eth0:\n    set-name: lan0\n", 4, 15, "needs a match"));
        c.add(raw("route to a host", "network-config", "version: 2\nethernets:\n  eth0:\n    routes:\n      - to: 203.0.113.9/24\n        via: 198.51.100.1\n", 5, 13, "has host bits set"));
        c.add(raw("route without to", "network-config", "version: 2\nethernets:\n  eth0:\n    routes:\n      - via: 198.51.100.1\n", 5, 9, "has no to"));
        c.add(raw("mtu too small", "network-config", "version: 2\nethernets:\n  eth0:\n    mtu: 10\n", 4, 10, "10 is outside 68..65535"));
        c.add(raw("ethernet key misspelt", "network-config", "version: 2\nethernets:\n  eth0:\n    dhcp: true\n", 4, 5, "unknown key 'dhcp'"));
        c.add(raw("nameservers not a list", "network-config", "version: 2\nethernets:\n  eth0:\n    nameservers:\n      addresses: 198.51.100.53\n", 5, 18, "must be a list"));
        c.add(raw("top-level key misspelt", "network-config", "version: 2\nethernet:\n  eth0: {}\n", 2, 1, "unknown key 'ethernet'"));
        c.add(raw("recognised by content", "user-data", "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: maybe\n", 5, 14, "dhcp4 must be a boolean"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsTheMistakeAtItsPosition(Case c) {
        Validation result = new UserDataValidator(CloudInitKeys.bundled(), Timezones.shapeOnly()).validate(c.file(), c.input());

        assertThat(result.isValid()).as("valid?").isFalse();
        assertThat(result.diagnostics()).allSatisfy(d -> assertThat(d.hint()).isNotBlank());
        assertThat(result.errors())
                .as("errors: %s", result.errors())
                .anySatisfy(d -> {
                    assertThat(d.message()).contains(c.message());
                    assertThat(d.line()).as("line of " + d).isEqualTo(c.line());
                    assertThat(d.column()).as("column of " + d).isEqualTo(c.column());
                });
    }

    @org.junit.jupiter.api.Test
    void thereAreAtLeastSixtyCases() {
        assertThat(cases().count()).isGreaterThanOrEqualTo(60);
    }

    @org.junit.jupiter.api.Test
    void errorsInABase64PartNameThePart() {
        String part = Base64.getEncoder().encodeToString("#cloud-config\nhostname: 12\n".getBytes(StandardCharsets.UTF_8));
        Validation result = UserDataValidator.standard().validate("archive.mime",
                mime("Content-Type: text/cloud-config\nContent-Transfer-Encoding: base64\n\n" + part));

        assertThat(result.errors()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo("archive.mime[part 1]");
            assertThat(d.line()).isEqualTo(2);
            assertThat(d.column()).isEqualTo(11);
        });
    }

    @org.junit.jupiter.api.Test
    void aTenMegabyteFileIsRefusedFromItsSize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path big = dir.resolve("user-data");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(10L * 1024 * 1024);
        }

        Validation result = UserDataValidator.standard().validate(big);

        assertThat(result.errors()).singleElement().satisfies(d -> {
            assertThat(d.message()).isEqualTo("the user-data is 10485760 bytes, more than the limit of 1 MiB");
            assertThat(d.line()).isEqualTo(1);
        });
    }

    /** 25 anchors, each a list of two aliases of the one before: 2^24 leaves if expanded. */
    private static String aliasBomb() {
        StringBuilder out = new StringBuilder("bootcmd: &a0 [x]\n");
        for (int i = 1; i < 25; i++) {
            out.append("k").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        return out.toString();
    }

    private static byte[] tooBig() {
        byte[] bytes = new byte[UserDataValidator.MAX_BYTES + 1];
        Arrays.fill(bytes, (byte) '#');
        byte[] header = CC.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, bytes, 0, header.length);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
