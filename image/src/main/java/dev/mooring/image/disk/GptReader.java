package dev.mooring.image.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/** Reads the primary GPT of a disk image, checking the signature and both CRC32s. */
public final class GptReader {

    private GptReader() {
    }

    /** A GPT that is missing or damaged. */
    public static final class InvalidGptException extends Exception {
        public InvalidGptException(String message) {
            super(message);
        }
    }

    public static GptLayout read(FileChannel disk) throws IOException, InvalidGptException {
        ByteBuffer header = ByteBuffer.allocate(GptLayout.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        readFully(disk, header, GptLayout.SECTOR);
        return parse(header.array(), disk);
    }

    static GptLayout parse(byte[] headerSector, FileChannel disk) throws IOException, InvalidGptException {
        ByteBuffer h = ByteBuffer.wrap(headerSector).order(ByteOrder.LITTLE_ENDIAN);
        if (!new String(headerSector, 0, 8, StandardCharsets.US_ASCII).equals("EFI PART")) {
            throw new InvalidGptException("no GPT: LBA 1 has no \"EFI PART\" signature");
        }
        int headerSize = h.getInt(12);
        if (headerSize < 92 || headerSize > GptLayout.SECTOR) {
            throw new InvalidGptException("GPT header size " + headerSize + " is invalid");
        }
        int storedCrc = h.getInt(16);
        byte[] copy = headerSector.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0);
        if ((int) crc(copy, headerSize) != storedCrc) {
            throw new InvalidGptException("GPT header CRC32 does not match");
        }
        long lastUsable = h.getLong(48);
        h.position(56);
        UUID diskGuid = Guid.get(h);
        long arrayLba = h.getLong(72);
        int entries = h.getInt(80);
        int entrySize = h.getInt(84);
        int arrayCrc = h.getInt(88);
        if (entrySize < 128 || entries < 1 || (long) entries * entrySize > 1 << 20) {
            throw new InvalidGptException("GPT entry array of " + entries + " x " + entrySize + " bytes is invalid");
        }
        ByteBuffer array = ByteBuffer.allocate(entries * entrySize).order(ByteOrder.LITTLE_ENDIAN);
        readFully(disk, array, arrayLba * GptLayout.SECTOR);
        if ((int) crc(array.array(), array.capacity()) != arrayCrc) {
            throw new InvalidGptException("GPT partition entry array CRC32 does not match");
        }
        List<GptPartition> partitions = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            array.position(i * entrySize);
            UUID type = Guid.get(array);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
                continue;
            }
            UUID guid = Guid.get(array);
            long first = array.getLong();
            long last = array.getLong();
            array.getLong();
            byte[] name = new byte[72];
            array.get(name);
            String n = new String(name, StandardCharsets.UTF_16LE);
            int nul = n.indexOf('\0');
            partitions.add(new GptPartition(nul < 0 ? n : n.substring(0, nul), type, guid, first, last));
        }
        long sectors = lastUsable + 2 + GptLayout.ARRAY_SECTORS;
        return new GptLayout(sectors, diskGuid, partitions);
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, position);
            if (n < 0) {
                throw new IOException("the image ends before the GPT does");
            }
            position += n;
        }
    }

    private static long crc(byte[] bytes, int length) {
        CRC32 c = new CRC32();
        c.update(bytes, 0, length);
        return c.getValue();
    }
}
