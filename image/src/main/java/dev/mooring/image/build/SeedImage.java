package dev.mooring.image.build;

import dev.mooring.image.build.steps.FatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A NoCloud seed: a small FAT image labelled CIDATA holding user-data, meta-data and optionally
 * network-config, as cloud-init and Mooring's first boot read it from any attached disk. Without
 * a meta-data file one is written with an instance-id derived from the user-data, so a changed
 * user-data counts as a new instance.
 */
public final class SeedImage {

    public static final String LABEL = "CIDATA";

    private final Tools tools;

    public SeedImage(Tools tools) {
        this.tools = tools;
    }

    public void make(OemContent content, Path output) throws BuildException {
        Path work = null;
        Path temp = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".seed-" + ProcessHandle.current().pid());
        try {
            work = Files.createTempDirectory("mooring-seed-");
            String digest = Sha256.of(content.userData());
            OemContent withMeta = content;
            if (content.metaData().isEmpty()) {
                Path meta = work.resolve("meta-data");
                Files.writeString(meta, "instance-id: iid-" + digest.substring(0, 16) + "\n");
                withMeta = new OemContent(content.userData(), java.util.Optional.of(meta), content.networkConfig());
            }
            Map<String, Path> files = new java.util.LinkedHashMap<>();
            for (var e : withMeta.files().entrySet()) {
                Path copy = work.resolve(e.getKey());
                if (!copy.equals(e.getValue())) {
                    Files.copy(e.getValue(), copy, StandardCopyOption.REPLACE_EXISTING);
                }
                files.put(e.getKey(), copy);
            }
            long size = FatImage.sizeFor(files, 2L << 20);
            new FatImage(tools, 315532800L).make(temp, size, LABEL, digest.substring(0, 8), false, files);
            Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BuildException("cannot write the seed " + output + ": " + e.getMessage(), "check the output path and free space", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // left-over temporary file
            }
            if (work != null) {
                ImageBuild.deleteTree(work);
            }
        }
    }
}
