package dev.mooring.firstboot.apply;

import java.util.List;
import java.util.Optional;

/**
 * Read access to a root filesystem by absolute path inside it ({@code /etc/passwd}): what the
 * planner looks at. Symlinks inside the root are not followed out of it.
 */
public interface RootView {

    /** The file's bytes, empty when it does not exist or is not a regular file. */
    Optional<byte[]> read(String path);

    /** The attributes of a file, directory or symlink, empty when nothing is there. */
    Optional<FileAttributes> attributes(String path);

    boolean isDirectory(String path);

    /** The names inside a directory, sorted; empty when it is not one. */
    List<String> list(String directory);

    default boolean exists(String path) {
        return attributes(path).isPresent();
    }
}
