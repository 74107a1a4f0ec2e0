package dev.mooring.image.spec;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people write them: {@code 2GiB}, {@code 1536MiB}, {@code 512M} (binary units), or bytes. */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|K|KiB|M|MiB|G|GiB|T|TiB)", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    public static Optional<Long> parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "", "B" -> 0;
            case "K", "KIB" -> 10;
            case "M", "MIB" -> 20;
            case "G", "GIB" -> 30;
            default -> 40;
        };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > (Long.MAX_VALUE >> shift)) {
                return Optional.empty();
            }
            return Optional.of(value << shift);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code 1.5 GiB}, {@code 300 MiB}: for messages. */
    public static String format(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }

    /** Rounded up to whole MiB, as the spec would take it back: {@code 1234MiB}. */
    public static String formatMiB(long bytes) {
        return ((bytes + (1L << 20) - 1) >> 20) + "MiB";
    }
}
