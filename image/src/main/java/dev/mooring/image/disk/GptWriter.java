package dev.mooring.image.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes a GPT (UEFI 2.10, chapter 5) for a {@link GptLayout}: the protective MBR, the primary
 * header and entry array at the start, their backup at the end, each with its CRC32. Pure byte
 * building; {@link #writeTo} is the only part that touches a file.
 */
public final class GptWriter {

    private static final long SIGNATURE = 0x5452415020494645L; // "EFI PART", little-endian
    private static final int REVISION = 0x00010000;
    private static final int HEADER_SIZE = 92;

    private GptWriter() {
    }

    /** LBA 0: one partition of type 0xEE covering the disk (up to 2 TiB), so MBR tools leave it alone. */
    public static byte[] protectiveMbr(GptLayout layout) {
        ByteBuffer b = ByteBuffer.allocate(GptLayout.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.position(446);
        b.put((byte) 0x00);                  // not bootable
        b.put((byte) 0x00).put((byte) 0x02).put((byte) 0x00); // CHS of LBA 1
        b.put((byte) 0xEE);
        b.put((byte) 0xFF).put((byte) 0xFF).put((byte) 0xFF); // CHS "too large"
        b.putInt(1);
        b.putInt((int) Math.min(layout.sectors() - 1, 0xFFFFFFFFL));
        b.position(510);
        b.put((byte) 0x55).put((byte) 0xAA);
        return b.array();
    }

    /** The partition entry array: 128 entries of 128 bytes, unused ones zero. */
    public static byte[] entryArray(GptLayout layout) {
        ByteBuffer b = ByteBuffer.allocate(GptLayout.ENTRIES * GptLayout.ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < layout.partitions().size(); i++) {
            GptPartition p = layout.partitions().get(i);
            b.position(i * GptLayout.ENTRY_SIZE);
            Guid.put(b, p.type());
            Guid.put(b, p.guid());
            b.putLong(p.firstLba());
            b.putLong(p.lastLba());
            b.putLong(0L); // attributes
            b.put(p.name().getBytes(StandardCharsets.UTF_16LE));
        }
        return b.array();
    }

    /** One header sector: {@code primary} at LBA 1 pointing to the array at LBA 2, or the backup at the end. */
    public static byte[] header(GptLayout layout, boolean primary, byte[] entryArray) {
        ByteBuffer b = ByteBuffer.allocate(GptLayout.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(SIGNATURE);
        b.putInt(REVISION);
        b.putInt(HEADER_SIZE);
        b.putInt(0); // header CRC, filled below
        b.putInt(0); // reserved
        b.putLong(primary ? 1 : layout.backupHeaderLba());
        b.putLong(primary ? layout.backupHeaderLba() : 1);
        b.putLong(layout.firstUsableLba());
        b.putLong(layout.lastUsableLba());
        Guid.put(b, layout.diskGuid());
        b.putLong(primary ? 2 : layout.backupArrayLba());
        b.putInt(GptLayout.ENTRIES);
        b.putInt(GptLayout.ENTRY_SIZE);
        b.putInt((int) crc32(entryArray, 0, entryArray.length));
        byte[] sector = b.array();
        int crc = (int) crc32(sector, 0, HEADER_SIZE);
        ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN).putInt(16, crc);
        return sector;
    }

    /** Writes MBR, both headers and both arrays; the file must already be the layout's size. */
    public static void writeTo(FileChannel disk, GptLayout layout) throws IOException {
        if (disk.size() != layout.sizeBytes()) {
            throw new IllegalArgumentException("disk: " + layout.sizeBytes() + " bytes expected, got " + disk.size());
        }
        byte[] array = entryArray(layout);
        write(disk, 0, protectiveMbr(layout));
        write(disk, GptLayout.SECTOR, header(layout, true, array));
        write(disk, 2L * GptLayout.SECTOR, array);
        write(disk, layout.backupArrayLba() * GptLayout.SECTOR, array);
        write(disk, layout.backupHeaderLba() * GptLayout.SECTOR, header(layout, false, array));
    }

    private static void write(FileChannel channel, long position, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    static long crc32(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
