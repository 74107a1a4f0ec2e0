package dev.mooring.k8s.render;

import java.nio.file.Path;
import java.util.Objects;

/** One thing {@code mooring k8s prepare} puts on disk, at an absolute path under the target root. */
public sealed interface Rendered permits Rendered.File, Rendered.Link {

    Path path();

    /**
     * A regular file.
     *
     * @param mode POSIX permission bits, e.g. {@code 0600} for files that hold the join token
     */
    record File(Path path, String content, int mode) implements Rendered {
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(content, "content");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("path: expected an absolute path, got " + path);
            }
            if ((mode & ~0777) != 0) {
                throw new IllegalArgumentException("mode: expected permission bits only, got " + Integer.toOctalString(mode));
            }
        }

        @Override
        public String toString() {
            return path + " (" + String.format("%04o", mode) + ", " + content.length() + " chars)";
        }
    }

    /** A symbolic link, as {@code systemctl enable} makes them. */
    record Link(Path path, Path target) implements Rendered {
        public Link {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(target, "target");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("path: expected an absolute path, got " + path);
            }
        }

        @Override
        public String toString() {
            return path + " -> " + target;
        }
    }
}
