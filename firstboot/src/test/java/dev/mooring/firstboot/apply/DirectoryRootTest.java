package dev.mooring.firstboot.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths resolve inside the root as on the device: absolute symlinks and '..' never reach this machine's files. */
class DirectoryRootTest {

    @TempDir
    Path root;
    @TempDir
    Path outside;

    @Test
    void symlinksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createDirectories(root.resolve("run"));
        Files.createDirectories(root.resolve("var"));
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));           // merged /usr
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("/run"));         // absolute, as Debian ships it
        Files.writeString(root.resolve("etc/hosts.real"), "in the root\n");
        Files.createSymbolicLink(root.resolve("etc/hosts"), Path.of("/etc/hosts.real"));
        Files.writeString(outside.resolve("secret"), "outside\n");
        Files.createSymbolicLink(root.resolve("etc/escape"), Path.of("../../../../../../" + outside.resolve("secret")));

        DirectoryRoot r = new DirectoryRoot(root);
        assertThat(r.read("/etc/hosts").map(String::new)).contains("in the root\n");
        assertThat(r.isDirectory("/bin")).isTrue();
        r.write("/bin/tool", "#!/bin/sh\n".getBytes(), new FileAttributes(0755, 0, 0));
        assertThat(root.resolve("usr/bin/tool")).exists();
        r.write("/var/run/mooring.pid", "1\n".getBytes(), FileAttributes.ROOT_0644);
        assertThat(root.resolve("run/mooring.pid")).exists();
        assertThat(r.read("/etc/escape")).isEmpty(); // '..' stops at the root: /<outside>/secret is not in it
        assertThat(r.resolve("/../../etc/hosts")).isEqualTo(root.resolve("etc/hosts.real"));
        assertThat(r.attributes("/etc/hosts").orElseThrow().mode()).isEqualTo(0777); // the link itself
    }
}
