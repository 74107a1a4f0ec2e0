package dev.mooring.image.build.steps;

import dev.mooring.image.build.ImageIdentity;
import dev.mooring.image.disk.GptLayout;
import dev.mooring.image.disk.GptPartition;
import dev.mooring.image.disk.GptWriter;
import dev.mooring.image.disk.Guid;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Step 5: the GPT disk: our own GPT (ESP, OEM, root, in that order so the root can grow at the
 * end), then each file system image copied to its partition. Runs of zeros are skipped so the
 * disk stays sparse.
 */
public final class RawDisk {

    public static final String ESP = "esp";
    public static final String OEM = "oem";
    public static final String ROOT = "root";

    private static final int CHUNK = 64 * 1024;

    private RawDisk() {
    }

    public static GptLayout layout(ImageIdentity id, long diskBytes, long espBytes, long oemBytes) {
        return GptLayout.place(diskBytes, id.disk(), List.of(
                new GptLayout.Request(ESP, Guid.EFI_SYSTEM, id.espPartition(), espBytes),
                new GptLayout.Request(OEM, Guid.BASIC_DATA, id.oemPartition(), oemBytes),
                new GptLayout.Request(ROOT, Guid.LINUX_ROOT_X86_64, id.rootPartition(), 0)));
    }

    public static void write(Path disk, GptLayout layout, Path esp, Path oem, Path root, LongConsumer bytesWritten) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(layout.sizeBytes());
        }
        try (FileChannel out = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            GptWriter.writeTo(out, layout);
            copyInto(esp, out, layout.partition(ESP), true, bytesWritten);
            copyInto(oem, out, layout.partition(OEM), true, bytesWritten);
            copyInto(root, out, layout.partition(ROOT), true, bytesWritten);
            out.force(true);
        }
    }

    /**
     * Copies {@code image} to the partition's offset. {@code sparse}: the target holds zeros there
     * already (a new file), so all-zero chunks are skipped and stay holes.
     */
    public static void copyInto(Path image, FileChannel out, GptPartition partition, boolean sparse, LongConsumer bytesWritten)
            throws IOException {
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
            if (in.size() > partition.sizeBytes()) {
                throw new IOException(image + " (" + in.size() + " bytes) is larger than partition " + partition.name()
                        + " (" + partition.sizeBytes() + " bytes)");
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            byte[] chunk = new byte[CHUNK];
            byte[] zero = new byte[CHUNK];
            long position = 0;
            while (position < in.size()) {
                buffer.clear();
                int n = in.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                buffer.flip();
                buffer.get(chunk, 0, n);
                if (!sparse || java.util.Arrays.mismatch(chunk, 0, n, zero, 0, n) != -1) {
                    ByteBuffer w = ByteBuffer.wrap(chunk, 0, n);
                    long at = partition.offsetBytes() + position;
                    while (w.hasRemaining()) {
                        at += out.write(w, at);
                    }
                    bytesWritten.accept(n);
                }
                position += n;
            }
        }
    }
}
