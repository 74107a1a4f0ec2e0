package dev.mooring.firstboot.cloudconfig;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A file to write, with its content already decoded (base64, gzip).
 *
 * @param owner       the user who owns the file (default root)
 * @param group       the group, empty to leave the group unchanged
 * @param permissions the mode bits, e.g. {@code 0644}
 * @param defer       write it in the final stage, after users and packages exist
 */
public record WriteFile(String path, byte[] content, String owner, Optional<String> group, int permissions,
                        boolean append, boolean defer) {

    public static final int DEFAULT_PERMISSIONS = 0644;

    public WriteFile {
        content = content.clone();
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permissions: expected bits within 07777, got 0" + Integer.toOctalString(permissions));
        }
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriteFile w && path.equals(w.path) && Arrays.equals(content, w.content) && owner.equals(w.owner)
                && group.equals(w.group) && permissions == w.permissions && append == w.append && defer == w.defer;
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "WriteFile[" + path + ", " + content.length + " bytes, " + owner + group.map(g -> ":" + g).orElse("") + ", 0"
                + Integer.toOctalString(permissions) + (append ? ", append" : "") + (defer ? ", defer" : "")
                + (content.length > 0 ? ", starts " + HexFormat.of().formatHex(content, 0, Math.min(4, content.length)) : "") + "]";
    }
}
