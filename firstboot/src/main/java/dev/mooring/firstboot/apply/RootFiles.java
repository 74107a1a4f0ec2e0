package dev.mooring.firstboot.apply;

import java.io.IOException;

/**
 * Changes to a root filesystem: the only way first boot writes files. Every write is atomic
 * (temporary file, fsync, rename, fsync of the directory), so a crash leaves the old or the new
 * content under the final name, never a mix.
 */
public interface RootFiles extends RootView {

    /** Replaces (or creates) {@code path} with {@code content}, mode and owner set before the rename. */
    void write(String path, byte[] content, FileAttributes attributes) throws IOException;

    /** Creates the directory when missing (its parent must exist), then sets its mode and owner. */
    void makeDirectory(String path, FileAttributes attributes) throws IOException;

    /** Points {@code path} at {@code target}, replacing what is there atomically. */
    void symlink(String path, String target) throws IOException;

    /** Removes a file when it exists. */
    void delete(String path) throws IOException;
}
