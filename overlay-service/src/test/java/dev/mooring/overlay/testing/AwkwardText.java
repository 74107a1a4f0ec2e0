package dev.mooring.overlay.testing;

import java.util.List;
import java.util.Random;

/**
 * Random text that a JSON writer must escape right: control characters, quotes, backslashes and
 * slashes, characters beyond ASCII and beyond the BMP, U+2028. The property tests that compare
 * a hand-written or streaming JSON writer with Jackson's mapper draw their strings from here.
 */
public final class AwkwardText {

    private AwkwardText() {}

    /** {@code prefix} followed by {@code length} random characters of the kinds above. */
    public static String of(Random r, String prefix, int length) {
        StringBuilder s = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
            switch (r.nextInt(6)) {
                case 0 -> s.append((char) r.nextInt(0x20));
                case 1 -> s.append("\"\\/".charAt(r.nextInt(3)));
                case 2 -> s.append((char) (0x7f + r.nextInt(0x800)));
                case 3 -> s.append(List.of("\u2028", "é", "€", "😀").get(r.nextInt(4)));
                default -> s.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        return s.toString();
    }
}
