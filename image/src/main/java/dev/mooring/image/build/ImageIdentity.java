package dev.mooring.image.build;

import dev.mooring.image.disk.Guid;
import dev.mooring.image.spec.ImageSpec;
import java.util.Locale;
import java.util.UUID;

/**
 * The identifiers an image carries, derived from the spec's name and version so that a rebuild
 * gets the same ones (and so the same bytes): GPT disk and partition GUIDs, the ext4 UUID and hash
 * seed, FAT volume ids, the ISO's volume label.
 */
public record ImageIdentity(UUID disk, UUID espPartition, UUID oemPartition, UUID rootPartition, UUID rootFilesystem,
                            UUID rootHashSeed, String espVolumeId, String oemVolumeId, String isoLabel) {

    public static final String ESP_LABEL = "MOORING-ESP";
    public static final String OEM_LABEL = "MOORING-OEM";
    public static final String ROOT_LABEL = "mooring-root";

    public static ImageIdentity of(ImageSpec spec) {
        String n = spec.name();
        String v = spec.version();
        String label = ("MOORING_" + n.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_"));
        return new ImageIdentity(Guid.derived("disk", n, v), Guid.derived("esp", n, v), Guid.derived("oem", n, v),
                Guid.derived("root", n, v), Guid.derived("root-fs", n, v), Guid.derived("root-hash-seed", n, v),
                Guid.fatVolumeId("esp-volume", n, v), Guid.fatVolumeId("oem-volume", n, v),
                label.length() > 32 ? label.substring(0, 32) : label);
    }
}
