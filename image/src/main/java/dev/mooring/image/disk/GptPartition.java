package dev.mooring.image.disk;

import java.util.Objects;
import java.util.UUID;

/**
 * One partition of a {@link GptLayout}, placed in sectors.
 *
 * @param firstLba first sector
 * @param lastLba  last sector, inclusive (as GPT stores it)
 */
public record GptPartition(String name, UUID type, UUID guid, long firstLba, long lastLba) {

    public GptPartition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(guid, "guid");
        if (name.length() > 36) {
            throw new IllegalArgumentException("name: at most 36 UTF-16 units in GPT, got " + name.length());
        }
        if (firstLba < 1 || lastLba < firstLba) {
            throw new IllegalArgumentException("firstLba/lastLba: need 1 <= first <= last, got " + firstLba + ".." + lastLba);
        }
    }

    public long offsetBytes() {
        return firstLba * GptLayout.SECTOR;
    }

    public long sizeBytes() {
        return (lastLba - firstLba + 1) * GptLayout.SECTOR;
    }
}
