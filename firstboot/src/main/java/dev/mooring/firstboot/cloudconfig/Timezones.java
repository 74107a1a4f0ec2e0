package dev.mooring.firstboot.cloudconfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which time zone names exist: the tz database under a zoneinfo directory when there is one,
 * else any name of the right shape ({@code Area/City}), e.g. on a workstation without tzdata.
 */
public record Timezones(Optional<Path> zoneinfo) {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*");
    private static final Path SYSTEM_ZONEINFO = Path.of("/usr/share/zoneinfo");

    /** The system's tz database if installed, else shape checks only. */
    public static Timezones system() {
        return new Timezones(Files.isDirectory(SYSTEM_ZONEINFO) ? Optional.of(SYSTEM_ZONEINFO) : Optional.empty());
    }

    public static Timezones shapeOnly() {
        return new Timezones(Optional.empty());
    }

    /** Whether {@code name} is a zone name that can be used. */
    public boolean isKnown(String name) {
        if (!SHAPE.matcher(name).matches()) {
            return false;
        }
        return zoneinfo.map(dir -> Files.isRegularFile(dir.resolve(name))).orElse(true);
    }

    /** Whether names are checked against a database (else only their shape). */
    public boolean checksDatabase() {
        return zoneinfo.isPresent();
    }
}
