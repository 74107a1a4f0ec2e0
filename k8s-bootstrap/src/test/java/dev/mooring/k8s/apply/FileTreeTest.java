package dev.mooring.k8s.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.k8s.render.Rendered;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreeTest {

    @TempDir
    Path root;

    private final List<Rendered> items = List.of(
            new Rendered.File(Path.of("/etc/rancher/k3s/config.yaml"), "token: \"secret\"\n", 0600),
            new Rendered.File(Path.of("/etc/systemd/system/k3s.service.d/10-mooring.conf"), "[Unit]\n", 0644),
            new Rendered.Link(Path.of("/etc/systemd/system/multi-user.target.wants/etcd.service"), Path.of("/lib/systemd/system/etcd.service")));

    @Test
    void writesFilesWithTheirModesAndLinks() throws Exception {
        List<FileTree.Change> changes = new FileTree(root).apply(items);
        assertThat(changes).extracting(FileTree.Change::outcome).containsOnly(FileTree.Outcome.CREATED);
        Path config = root.resolve("etc/rancher/k3s/config.yaml");
        assertThat(config).hasContent("token: \"secret\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/systemd/system/k3s.service.d/10-mooring.conf"))))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readSymbolicLink(root.resolve("etc/systemd/system/multi-user.target.wants/etcd.service")))
                .isEqualTo(Path.of("/lib/systemd/system/etcd.service"));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aRerunWithTheSameInputChangesNothing() throws Exception {
        FileTree tree = new FileTree(root);
        tree.apply(items);
        Path config = root.resolve("etc/rancher/k3s/config.yaml");
        Path dropIn = root.resolve("etc/systemd/system/k3s.service.d/10-mooring.conf");
        Path link = root.resolve("etc/systemd/system/multi-user.target.wants/etcd.service");
        // Back-date everything, so an unwanted rewrite would show as a new mtime whatever the clock's resolution.
        FileTime past = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(config, past);
        Files.setLastModifiedTime(dropIn, past);
        long linkMtime = Files.getLastModifiedTime(link, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis();
        Object inode = Files.readAttributes(config, "unix:ino").get("ino");

        List<FileTree.Change> again = tree.apply(items);

        assertThat(again).extracting(FileTree.Change::outcome).containsOnly(FileTree.Outcome.UNCHANGED);
        assertThat(Files.getLastModifiedTime(config)).isEqualTo(past);
        assertThat(Files.getLastModifiedTime(dropIn)).isEqualTo(past);
        assertThat(Files.getLastModifiedTime(link, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis()).isEqualTo(linkMtime);
        assertThat(Files.readAttributes(config, "unix:ino").get("ino")).isEqualTo(inode);
    }

    @Test
    void changedContentOrModeIsReplacedAtomically() throws Exception {
        FileTree tree = new FileTree(root);
        tree.apply(items);
        Path config = root.resolve("etc/rancher/k3s/config.yaml");
        Object inode = Files.readAttributes(config, "unix:ino").get("ino");
        List<FileTree.Change> changes = tree.apply(List.of(new Rendered.File(Path.of("/etc/rancher/k3s/config.yaml"), "token: \"other\"\n", 0600)));
        assertThat(changes).extracting(FileTree.Change::outcome).containsExactly(FileTree.Outcome.UPDATED);
        assertThat(config).hasContent("token: \"other\"");
        // A new inode: the file was renamed over, not rewritten in place.
        assertThat(Files.readAttributes(config, "unix:ino").get("ino")).isNotEqualTo(inode);

        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(tree.apply(List.of(new Rendered.File(Path.of("/etc/rancher/k3s/config.yaml"), "token: \"other\"\n", 0600))))
                .extracting(FileTree.Change::outcome).containsExactly(FileTree.Outcome.UPDATED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aLinkToAnotherTargetIsReplaced() throws Exception {
        Path link = root.resolve("etc/systemd/system/multi-user.target.wants/etcd.service");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of("/dev/null"));
        assertThat(new FileTree(root).apply(List.of(items.get(2)))).extracting(FileTree.Change::outcome)
                .containsExactly(FileTree.Outcome.UPDATED);
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("/lib/systemd/system/etcd.service"));
    }

    private List<Path> leftovers() throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().contains(".mooring-")).toList();
        }
    }
}
