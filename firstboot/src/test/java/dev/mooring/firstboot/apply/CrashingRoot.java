package dev.mooring.firstboot.apply;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RootFiles} that "loses power" at its {@code crashAt}-th change: it throws
 * {@link PowerCut} before the change, or right after it when {@code afterTheChange}. PowerCut is an
 * {@link Error}, so no catch block of first boot handles it: the run stops where it is, as on a
 * real power cut.
 */
final class CrashingRoot implements RootFiles {

    /** The simulated power cut. */
    static final class PowerCut extends Error {
        PowerCut(int change) {
            super("power cut at change " + change);
        }
    }

    private final RootFiles real;
    private final int crashAt;
    private final boolean afterTheChange;
    private int changes;

    CrashingRoot(RootFiles real, int crashAt, boolean afterTheChange) {
        this.real = real;
        this.crashAt = crashAt;
        this.afterTheChange = afterTheChange;
    }

    int changes() {
        return changes;
    }

    private interface Change {
        void apply() throws IOException;
    }

    private void change(Change c) throws IOException {
        int n = changes++;
        if (n == crashAt && !afterTheChange) {
            throw new PowerCut(n);
        }
        c.apply();
        if (n == crashAt) {
            throw new PowerCut(n);
        }
    }

    @Override
    public void write(String path, byte[] content, FileAttributes attributes) throws IOException {
        change(() -> real.write(path, content, attributes));
    }

    @Override
    public void makeDirectory(String path, FileAttributes attributes) throws IOException {
        change(() -> real.makeDirectory(path, attributes));
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        change(() -> real.symlink(path, target));
    }

    @Override
    public void delete(String path) throws IOException {
        change(() -> real.delete(path));
    }

    @Override
    public Optional<byte[]> read(String path) {
        return real.read(path);
    }

    @Override
    public Optional<FileAttributes> attributes(String path) {
        return real.attributes(path);
    }

    @Override
    public boolean isDirectory(String path) {
        return real.isDirectory(path);
    }

    @Override
    public List<String> list(String directory) {
        return real.list(directory);
    }
}
