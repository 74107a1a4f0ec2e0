package dev.mooring.firstboot.userdata;

import dev.mooring.firstboot.cloudconfig.CloudConfig;
import dev.mooring.firstboot.network.NetworkConfig;

/** One piece of user-data, as the first-boot step applies it; {@code source} is where it came from. */
public sealed interface UserDataPart {

    String source();

    /** A {@code #cloud-config} document (or a {@code text/cloud-config} MIME part). */
    record CloudConfigPart(String source, CloudConfig config) implements UserDataPart {
    }

    /** A script run once at first boot, like cloud-init's user scripts; {@code text} starts with {@code #!}. */
    record ShellScript(String source, String text) implements UserDataPart {
    }

    /** A network-config version 2 document for the underlay. */
    record NetworkConfigPart(String source, NetworkConfig config) implements UserDataPart {
    }
}
