package dev.mooring.firstboot.datasource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a datasource found: NoCloud's {@code user-data}, {@code meta-data} and optional
 * {@code network-config}, as bytes.
 *
 * @param datasource which source it came from: {@code cmdline}, {@code cidata}, {@code seed}, {@code oem}, {@code cache}
 * @param location   where exactly (a URL, a device, a directory), for the status and the log
 */
public record Seed(String datasource, String location, Map<String, byte[]> files) {

    public static final String USER_DATA = "user-data";
    public static final String META_DATA = "meta-data";
    public static final String NETWORK_CONFIG = "network-config";

    public Seed {
        files = Map.copyOf(new LinkedHashMap<>(files));
    }

    public Optional<byte[]> file(String name) {
        return Optional.ofNullable(files.get(name)).map(byte[]::clone);
    }

    @Override
    public String toString() {
        return "Seed[" + datasource + " " + location + ", " + files.keySet() + "]";
    }
}
