package dev.mooring.firstboot.testing;

import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.apply.FileAttributes;
import dev.mooring.firstboot.apply.RootFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * A real root directory whose files belong to the user running the tests (so runs that need no
 * particular owners work without root), that records every change and can "lose power" at one:
 * {@code cutAt(index, path)} decides, before each change, whether power fails before it
 * ({@link Cut#BEFORE}) or right after it ({@link Cut#AFTER}). {@link PowerCut} is an {@link Error},
 * so no catch block of first boot handles it, as on a real power cut.
 */
public final class CuttableRoot implements RootFiles {

    public enum Cut { NONE, BEFORE, AFTER }

    /** The simulated power cut. */
    public static final class PowerCut extends Error {
        PowerCut(int change, String path) {
            super("power cut at change " + change + " (" + path + ")");
        }
    }

    /** Decides, for change {@code index} touching {@code path}, whether and where power fails. */
    public interface CutPolicy {
        Cut at(int index, String path);
    }

    private final DirectoryRoot real;
    private final CutPolicy policy;
    private final int uid;
    private final int gid;
    private final List<String> changes = new ArrayList<>();

    public CuttableRoot(Path root, CutPolicy policy) throws IOException {
        this.real = new DirectoryRoot(root);
        this.policy = policy;
        this.uid = (Integer) Files.getAttribute(root, "unix:uid");
        this.gid = (Integer) Files.getAttribute(root, "unix:gid");
    }

    /** Never cut. */
    public static CuttableRoot of(Path root) throws IOException {
        return new CuttableRoot(root, (i, p) -> Cut.NONE);
    }

    /** Cuts before or after the first change for which {@code test(index, path)} holds. */
    public static CutPolicy first(BiPredicate<Integer, String> test, Cut where) {
        return new CutPolicy() {
            boolean done;

            @Override
            public Cut at(int index, String path) {
                if (!done && test.test(index, path)) {
                    done = true;
                    return where;
                }
                return Cut.NONE;
            }
        };
    }

    /** The paths changed so far, in order. */
    public List<String> changes() {
        return List.copyOf(changes);
    }

    private interface Change {
        void apply() throws IOException;
    }

    private void change(String path, Change c) throws IOException {
        int n = changes.size();
        Cut cut = policy.at(n, path);
        if (cut == Cut.BEFORE) {
            throw new PowerCut(n, path);
        }
        changes.add(path);
        c.apply();
        if (cut == Cut.AFTER) {
            throw new PowerCut(n, path);
        }
    }

    private FileAttributes mine(FileAttributes a) {
        return new FileAttributes(a.mode() & 0777, uid, gid);
    }

    @Override
    public void write(String path, byte[] content, FileAttributes attributes) throws IOException {
        change(path, () -> real.write(path, content, mine(attributes)));
    }

    @Override
    public void makeDirectory(String path, FileAttributes attributes) throws IOException {
        change(path, () -> real.makeDirectory(path, mine(attributes)));
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        change(path, () -> real.symlink(path, target));
    }

    @Override
    public void delete(String path) throws IOException {
        change(path, () -> real.delete(path));
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
    public java.util.List<String> list(String directory) {
        return real.list(directory);
    }
}
