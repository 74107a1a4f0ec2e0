package dev.mooring.firstboot.apply;

import java.util.Arrays;
import java.util.List;

/**
 * One change of a {@link Plan}. {@code id} is stable across runs of the same instance: the
 * journal's done-marker for the step carries it, so a re-run after a crash skips what is done.
 * File steps carry the complete final content (an {@code append} is resolved when planning), so
 * applying one twice gives the same root.
 */
public sealed interface Step {

    String id();

    /** The cloud-config module the step comes from, for the status: {@code users}, {@code runcmd}, ... */
    String module();

    Frequency frequency();

    /** Writes a whole file atomically. */
    record WriteFile(String id, String module, String path, byte[] content, FileAttributes attributes) implements Step {
        public WriteFile {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public Frequency frequency() {
            return Frequency.PER_INSTANCE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WriteFile w && id.equals(w.id) && module.equals(w.module) && path.equals(w.path)
                    && Arrays.equals(content, w.content) && attributes.equals(w.attributes);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }

        @Override
        public String toString() {
            return "WriteFile[" + path + ", " + content.length + " bytes, " + attributes + "]";
        }
    }

    /** Creates a directory when missing and sets its mode and owner. */
    record MakeDirectory(String id, String module, String path, FileAttributes attributes) implements Step {
        @Override
        public Frequency frequency() {
            return Frequency.PER_INSTANCE;
        }
    }

    /** Points a symlink at a target (e.g. /etc/localtime). */
    record Symlink(String id, String module, String path, String target) implements Step {
        @Override
        public Frequency frequency() {
            return Frequency.PER_INSTANCE;
        }
    }

    /** Runs a program; {@code argv} is {@code [/bin/sh, -c, line]} for a shell line. */
    record RunCommand(String id, String module, List<String> argv, Frequency frequency) implements Step {
        public RunCommand {
            argv = List.copyOf(argv);
        }
    }

    /** How often a step runs: once per instance id, or once per boot. */
    enum Frequency {
        PER_INSTANCE, PER_BOOT
    }
}
