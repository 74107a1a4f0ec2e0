package dev.mooring.overlay.config;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.InvalidAddressException;

/**
 * How the overlay picks its underlay interface: the interface of the default route, an exact
 * name, a shell glob over names ({@code en*}), or the interface holding an address in a CIDR.
 */
public sealed interface UnderlaySelector {

    record Auto() implements UnderlaySelector {
        @Override
        public String toString() {
            return "auto";
        }
    }

    record ByName(String name) implements UnderlaySelector {
        @Override
        public String toString() {
            return name;
        }
    }

    record ByGlob(String glob) implements UnderlaySelector {
        /** Matches {@code name} against the glob ({@code *}, {@code ?}, {@code [...]}). */
        public boolean matches(String name) {
            return java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob)
                    .matches(java.nio.file.Path.of(name));
        }

        @Override
        public String toString() {
            return glob;
        }
    }

    record BySubnet(Cidr subnet) implements UnderlaySelector {
        @Override
        public String toString() {
            return subnet.toString();
        }
    }

    /** Longest interface name the kernel accepts (IFNAMSIZ - 1). */
    int MAX_NAME_LENGTH = 15;

    static UnderlaySelector parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidAddressException("the underlay is empty: write auto, an interface name (eth0), a glob (en*) or a CIDR (198.51.100.0/24)");
        }
        if (text.equals("auto")) {
            return new Auto();
        }
        if (Character.isDigit(text.charAt(0)) && text.contains("/")) {
            return new BySubnet(Cidr.parse(text));
        }
        if (text.length() > MAX_NAME_LENGTH) {
            throw new InvalidAddressException("'" + text + "' is longer than " + MAX_NAME_LENGTH + " characters, the longest interface name Linux allows");
        }
        for (char c : text.toCharArray()) {
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x21 || c > 0x7e) {
                throw new InvalidAddressException("'" + text + "' is not an interface name: it contains '" + c + "'");
            }
        }
        boolean glob = text.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        return glob ? new ByGlob(text) : new ByName(text);
    }
}
