package dev.mooring.firstboot.datasource;

import java.util.Optional;

/**
 * NoCloud meta-data: {@code instance-id} decides whether this boot is an instance's first (a new
 * id runs the per-instance modules again); {@code local-hostname} is the host name when the
 * user-data sets none.
 */
public record MetaData(String instanceId, Optional<String> localHostname) {

    public MetaData {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("instanceId: expected a non-blank instance-id");
        }
    }

    /** The instance id made safe as one file name (journal directories are named after it). */
    public String instanceDirectoryName() {
        return instanceId.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
