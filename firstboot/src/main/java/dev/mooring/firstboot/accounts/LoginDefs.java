package dev.mooring.firstboot.accounts;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The values of /etc/login.defs that user creation needs, with shadow-utils' defaults when the
 * file or a key is missing: the same ranges {@code useradd} would use on that root.
 */
public record LoginDefs(int uidMin, int uidMax, int gidMin, int gidMax, int passMinDays, int passMaxDays,
                        int passWarnAge, int homeMode) {

    public static final LoginDefs DEFAULTS = new LoginDefs(1000, 60000, 1000, 60000, 0, 99999, 7, 0755);

    public static LoginDefs parse(byte[] content) {
        Map<String, String> values = new HashMap<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && !words[0].startsWith("#")) {
                values.put(words[0], words[1]);
            }
        }
        int umask = number(values.get("UMASK"), 8).orElse(022);
        return new LoginDefs(
                number(values.get("UID_MIN"), 10).orElse(DEFAULTS.uidMin), number(values.get("UID_MAX"), 10).orElse(DEFAULTS.uidMax),
                number(values.get("GID_MIN"), 10).orElse(DEFAULTS.gidMin), number(values.get("GID_MAX"), 10).orElse(DEFAULTS.gidMax),
                number(values.get("PASS_MIN_DAYS"), 10).orElse(DEFAULTS.passMinDays),
                number(values.get("PASS_MAX_DAYS"), 10).orElse(DEFAULTS.passMaxDays),
                number(values.get("PASS_WARN_AGE"), 10).orElse(DEFAULTS.passWarnAge),
                // useradd: HOME_MODE when set, else 0777 masked by UMASK.
                number(values.get("HOME_MODE"), 8).orElse(0777 & ~umask));
    }

    private static OptionalInt number(String text, int radix) {
        if (text == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(text, radix));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
