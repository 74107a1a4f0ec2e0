package dev.mooring.firstboot.userdata;

import dev.mooring.firstboot.yaml.NodeReader;
import dev.mooring.firstboot.diagnostic.Findings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MIME message as cloud-init reads user-data archives ({@code cloud-init devel make-mime}
 * writes them): top-level headers, then either one body or, for {@code multipart/*}, parts
 * between {@code --boundary} lines. Line numbers are kept so a part's diagnostics point into the
 * archive.
 */
final class MimeArchive {

    private static final Pattern HEADER = Pattern.compile("([!-9;-~]+):[ \\t]*(.*)");

    /** A header, unfolded, with the line it starts on. */
    record Header(String name, String value, int line) {
    }

    /**
     * One part: its headers, its body text, and the 1-based archive line where the body starts.
     *
     * @param number 1-based part number, as diagnostics name it
     */
    record Part(int number, List<Header> headers, String body, int bodyLine, int firstLine) {

        Optional<Header> header(String name) {
            return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).findFirst();
        }

        /** The media type in lower case without parameters; text/plain when absent, as in MIME. */
        String mediaType() {
            return header("Content-Type").map(h -> mediaTypeOf(h.value())).orElse("text/plain");
        }
    }

    private MimeArchive() {
    }

    /** cloud-init reads user-data as MIME when it starts with MIME headers. */
    static boolean looksLikeMime(String text) {
        String start = text.substring(0, Math.min(text.length(), 32)).toLowerCase(Locale.ROOT);
        return start.startsWith("content-type:") || start.startsWith("mime-version:");
    }

    /** The parts (one for a message that is not multipart); empty after reporting a broken archive. */
    static Optional<List<Part>> parse(String text, Findings findings) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            lines[i] = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
        }
        List<Header> headers = new ArrayList<>();
        Optional<Integer> bodyStart = headers(lines, 0, lines.length, headers, findings);
        if (bodyStart.isEmpty()) {
            return Optional.empty();
        }
        Optional<Header> contentType = headers.stream().filter(h -> h.name().equalsIgnoreCase("Content-Type")).findFirst();
        if (contentType.isEmpty() || !mediaTypeOf(contentType.get().value()).startsWith("multipart/")) {
            return Optional.of(List.of(new Part(1, headers, join(lines, bodyStart.get(), lines.length), bodyStart.get() + 1, 1)));
        }
        Optional<String> boundary = parameter(contentType.get().value(), "boundary");
        if (boundary.isEmpty() || boundary.get().isEmpty()) {
            findings.error(contentType.get().line(), 1, "the multipart Content-Type has no boundary",
                    "add the boundary parameter: Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"");
            return Optional.empty();
        }
        String delimiter = "--" + boundary.get();
        List<Integer> starts = new ArrayList<>();
        int closing = -1;
        for (int i = bodyStart.get(); i < lines.length && closing < 0; i++) {
            String line = lines[i].stripTrailing();
            if (line.equals(delimiter + "--")) {
                closing = i;
            } else if (line.equals(delimiter)) {
                starts.add(i);
            }
        }
        if (starts.isEmpty()) {
            findings.error(contentType.get().line(), 1, "the archive has no part: no line is " + delimiter,
                    "start each part with a line " + delimiter + " and end the archive with " + delimiter + "--");
            return Optional.empty();
        }
        if (closing < 0) {
            int last = lines.length;
            while (last > 1 && lines[last - 1].isBlank()) {
                last--;
            }
            findings.error(last, 1, "the archive ends without its closing boundary " + delimiter + "--",
                    "the archive may be cut short; end it with a line " + delimiter + "--");
            return Optional.empty();
        }
        List<Part> parts = new ArrayList<>();
        for (int p = 0; p < starts.size(); p++) {
            int from = starts.get(p) + 1;
            int to = p + 1 < starts.size() ? starts.get(p + 1) : closing;
            List<Header> partHeaders = new ArrayList<>();
            Optional<Integer> partBody = headers(lines, from, to, partHeaders, findings);
            if (partBody.isEmpty()) {
                return Optional.empty();
            }
            parts.add(new Part(p + 1, partHeaders, join(lines, partBody.get(), to), partBody.get() + 1, from + 1));
        }
        return Optional.of(parts);
    }

    /** Reads headers from {@code from} up to a blank line (or {@code to}); returns the index of the first body line. */
    private static Optional<Integer> headers(String[] lines, int from, int to, List<Header> out, Findings findings) {
        int i = from;
        for (; i < to && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            if ((line.startsWith(" ") || line.startsWith("\t")) && !out.isEmpty()) {
                Header last = out.removeLast();
                out.add(new Header(last.name(), last.value() + " " + line.strip(), last.line()));
                continue;
            }
            Matcher m = HEADER.matcher(line);
            if (!m.matches()) {
                findings.error(i + 1, 1, "'" + NodeReader.abbreviate(line) + "' is not a MIME header",
                        "write headers as Name: value, and leave an empty line between the headers and the content");
                return Optional.empty();
            }
            out.add(new Header(m.group(1), m.group(2).strip(), i + 1));
        }
        return Optional.of(Math.min(i + 1, to));
    }

    static String mediaTypeOf(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static Optional<String> parameter(String headerValue, String name) {
        for (String param : headerValue.split(";")) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String value = param.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static String join(String[] lines, int from, int to) {
        return from >= to ? "" : String.join("\n", Arrays.asList(lines).subList(from, to));
    }
}
