package dev.mooring.lab.drill;

import dev.mooring.lab.ShellProtocol;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-machine user-data from one template: {@code {{host}}}, {{@code index}}, {@code {{bootstrap}}},
 * {@code {{overlay}}}, {@code {{key}}}, {@code {{nodes}}} are replaced, and the lab shell (docs/lab.md)
 * is added as a unit through {@code write_files}, so the drill can look inside any Mooring image
 * whether or not it carries qemu-guest-agent. An unknown placeholder is an error naming it.
 */
public final class NodeUserData {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z]+)\\s*}}");

    /** The drill's default: a control-plane host of cluster "lab", overlay with discovery, etcd across all nodes. */
    public static final String DEFAULT_TEMPLATE = """
            #cloud-config
            hostname: {{host}}
            mooring:
              cluster:
                name: lab
                role: control-plane
                bootstrap: {{bootstrap}}
              overlay:
                enabled: {{overlay}}
                cidr: 100.64.192.0/23
                vip: 100.64.192.1
                underlay: en*
                key: {{key}}
              kubernetes:
                distribution: etcd
                control-plane-count: {{nodes}}
            """;

    /** The cluster both templates name; with a hub, create it there under this name (LabHub#createCluster). */
    public static final String CLUSTER = "lab";
    /** The overlay CIDR both templates use; the hub's cluster must have the same (first boot takes the hub's). */
    public static final String OVERLAY_CIDR = "100.64.192.0/23";
    /** The VIP both templates use. */
    public static final String OVERLAY_VIP = "100.64.192.1";

    /**
     * {@link #DEFAULT_TEMPLATE} registering with a hub (docs/firstboot.md "Registration with the hub"):
     * {@code {{hub}}} is the hub's URL as the machines reach it ({@code LabHub#endpoint()}) and
     * {@code {{token}}} a join token of cluster {@value #CLUSTER}. First boot registers once the
     * network is up (mooring-firstboot-network, before mooring-overlay starts) and rewrites
     * overlay.yaml with the address the hub assigned and a {@code hub:} section, so the overlay uses
     * the hub's address and heartbeats its external address every 10 s. {@code {{key}}} must be the
     * key the hub gave the cluster when it was created ({@code LabHub.Cluster#key()}), and the CIDR
     * and VIP the cluster's: then a machine that could not reach the hub derives its address in the
     * same overlay with the same key, and the overlay still settles without the hub.
     */
    public static final String HUB_TEMPLATE = DEFAULT_TEMPLATE.replace("\nmooring:\n", """

            mooring:
              registration:
                url: {{hub}}
                token: {{token}}
            """);

    private static final String LAB_SHELL_UNIT = """
            [Unit]
            Description=Mooring lab shell on ttyS1 (written by the lab's user-data)
            [Service]
            ExecStart=/bin/sh /usr/local/lib/mooring-lab-shell /dev/ttyS1
            Restart=always
            [Install]
            WantedBy=multi-user.target
            """;

    private NodeUserData() {}

    /** Renders {@code template} for one node and appends the lab shell. */
    public static String render(String template, Map<String, String> values, boolean labShell) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                int line = (int) template.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                throw new IllegalArgumentException("user-data template line " + line + ": unknown placeholder {{" + m.group(1)
                        + "}}; known: " + values.keySet().stream().sorted().map(k -> "{{" + k + "}}").toList());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String text = out.toString();
        if (!text.startsWith("#cloud-config")) {
            throw new IllegalArgumentException("user-data template: the first line must be #cloud-config (the drill adds its lab shell to it)");
        }
        if (!labShell) {
            return text;
        }
        if (text.contains("\nwrite_files:") || text.contains("\nruncmd:")) {
            throw new IllegalArgumentException("user-data template: has its own write_files or runcmd; the drill adds the lab shell there."
                    + " Use --channel agent (an image with qemu-guest-agent) or move them into a MIME part");
        }
        return text + (text.endsWith("\n") ? "" : "\n")
                + "write_files:\n"
                + "  - path: /usr/local/lib/mooring-lab-shell\n    permissions: '0755'\n    content: |\n" + indent(ShellProtocol.GUEST_SCRIPT, 6)
                + "  - path: /etc/systemd/system/mooring-lab-shell.service\n    content: |\n" + indent(LAB_SHELL_UNIT, 6)
                + "runcmd:\n"
                + "  - [systemctl, daemon-reload]\n"
                + "  - [systemctl, enable, mooring-lab-shell.service]\n"
                + "  - [systemctl, start, --no-block, mooring-lab-shell.service]\n";
    }

    private static String indent(String text, int spaces) {
        String pad = " ".repeat(spaces);
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(pad).append(line);
            }
            out.append('\n');
        }
        return out.toString().replaceAll("\n+$", "\n");
    }
}
