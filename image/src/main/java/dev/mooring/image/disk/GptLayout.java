package dev.mooring.image.disk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Where everything lies on a GPT disk of 512-byte sectors: protective MBR at LBA 0, the primary
 * header at LBA 1 and its 128-entry array at LBA 2..33; the backup array and header at the end.
 * Partitions start on 1 MiB boundaries, in the order given; the last one may take the rest.
 */
public record GptLayout(long sectors, UUID diskGuid, List<GptPartition> partitions) {

    public static final int SECTOR = 512;
    public static final int ENTRIES = 128;
    public static final int ENTRY_SIZE = 128;
    /** Sectors of the partition entry array: 128 entries of 128 bytes. */
    public static final int ARRAY_SECTORS = ENTRIES * ENTRY_SIZE / SECTOR;
    public static final long ALIGN = (1L << 20) / SECTOR;

    public GptLayout {
        Objects.requireNonNull(diskGuid, "diskGuid");
        partitions = List.copyOf(partitions);
        if (partitions.size() > ENTRIES) {
            throw new IllegalArgumentException("partitions: at most " + ENTRIES);
        }
        // The accessors read fields, which a compact constructor has not assigned yet: use the parameters.
        long firstUsable = 2 + ARRAY_SECTORS;
        long lastUsable = sectors - 2 - ARRAY_SECTORS;
        for (GptPartition p : partitions) {
            if (p.firstLba() < firstUsable || p.lastLba() > lastUsable) {
                throw new IllegalArgumentException("partitions: " + p.name() + " lies outside the usable sectors "
                        + firstUsable + ".." + lastUsable);
            }
        }
    }

    /** A partition to place: its size in bytes, or 0 for "the rest of the disk" (last only). */
    public record Request(String name, UUID type, UUID guid, long sizeBytes) {
    }

    /** Sectors GPT needs besides the partitions, plus the alignment gap at the start. */
    public static long overheadBytes() {
        return ALIGN * SECTOR + (1 + ARRAY_SECTORS) * (long) SECTOR;
    }

    /** The smallest disk that holds these partitions (each rounded up to 1 MiB). */
    public static long minimumDiskBytes(List<Long> partitionBytes) {
        long total = ALIGN * SECTOR;
        for (long b : partitionBytes) {
            total += alignUp(b, ALIGN * SECTOR);
        }
        return total + (1 + ARRAY_SECTORS) * (long) SECTOR;
    }

    public static GptLayout place(long diskBytes, UUID diskGuid, List<Request> requests) {
        if (diskBytes % SECTOR != 0) {
            throw new IllegalArgumentException("diskBytes: a multiple of " + SECTOR + ", got " + diskBytes);
        }
        long sectors = diskBytes / SECTOR;
        long lastUsable = sectors - 2 - ARRAY_SECTORS;
        List<GptPartition> placed = new ArrayList<>();
        long next = ALIGN;
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            long last;
            if (r.sizeBytes() == 0) {
                if (i != requests.size() - 1) {
                    throw new IllegalArgumentException("requests: only the last partition may take the rest");
                }
                last = lastUsable;
            } else {
                last = next + alignUp(r.sizeBytes(), SECTOR) / SECTOR - 1;
            }
            if (last > lastUsable) {
                throw new IllegalArgumentException("diskBytes: " + diskBytes + " is too small for partition " + r.name());
            }
            placed.add(new GptPartition(r.name(), r.type(), r.guid(), next, last));
            next = alignUp(last + 1, ALIGN);
        }
        return new GptLayout(sectors, diskGuid, placed);
    }

    public long firstUsableLba() {
        return 2 + ARRAY_SECTORS;
    }

    public long lastUsableLba() {
        return sectors - 2 - ARRAY_SECTORS;
    }

    public long backupHeaderLba() {
        return sectors - 1;
    }

    public long backupArrayLba() {
        return sectors - 1 - ARRAY_SECTORS;
    }

    public long sizeBytes() {
        return sectors * SECTOR;
    }

    public GptPartition partition(String name) {
        return partitions.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("name: no partition " + name));
    }

    static long alignUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
