package dev.mooring.overlay.identity;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * identity.json read as what it is: one JSON object whose fields the store wants as text or whole
 * numbers. The whole document is checked against JSON's grammar (RFC 8259), nested values
 * included, and nothing may follow the object.
 *
 * <p>Not Jackson's parser, which wrote the file: every Jackson parser initialises
 * {@code java.math.BigDecimal}, whose static tables take about 20 ms to compute on JDK 25 (5 to the
 * power 65536, interpreted), and the service reads this file on its way to READY, where that was a
 * tenth of the time (measured with a profiler). The file is small and written by the store itself;
 * the grammar is small enough to check in full here.
 */
final class FlatJson {

    /** A field's value that is neither text nor a whole number that fits a long. */
    static final Object OTHER = new Object();

    /** What a document that is not an object holds, named as Jackson's tree names it (JsonNodeType). */
    enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    /** The document is not JSON: what is wrong, and where (1-based line and column). */
    static final class SyntaxException extends Exception {
        private final int line;
        private final int column;

        SyntaxException(String problem, int line, int column) {
            super(problem);
            this.line = line;
            this.column = column;
        }

        int line() {
            return line;
        }

        int column() {
            return column;
        }
    }

    /** The document is JSON, but its value is not an object. */
    static final class NotAnObjectException extends Exception {
        private final Kind found;

        NotAnObjectException(Kind found) {
            super("expected a JSON object, found " + found);
            this.found = found;
        }

        Kind found() {
            return found;
        }
    }

    private final String text;
    private int at;
    /** The last string or number {@link #value} read: String, Long or {@link #OTHER}. */
    private Object scalar;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * The object's fields in {@code utf8}: text as String, whole numbers that fit a long as Long,
     * anything else as {@link #OTHER}; a repeated field keeps its last value.
     *
     * @return null when the document holds nothing but white space
     */
    static Map<String, Object> fields(byte[] utf8) throws SyntaxException, NotAnObjectException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new SyntaxException("the bytes are not UTF-8", 1, 1);
        }
        FlatJson json = new FlatJson(text);
        json.skipSpace();
        if (json.at == text.length()) {
            return null;
        }
        Map<String, Object> fields = new HashMap<>();
        Kind kind = json.value(fields);
        json.skipSpace();
        if (json.at < text.length()) {
            throw json.error("more follows the document's value");
        }
        if (kind != Kind.OBJECT) {
            throw new NotAnObjectException(kind);
        }
        return fields;
    }

    /**
     * Reads one value and returns its kind; a string or number is left in {@link #scalar}, and an
     * object's fields go to {@code into} when it is given (the top level).
     */
    private Kind value(Map<String, Object> into) throws SyntaxException {
        char c = peek("a value");
        switch (c) {
            case '{' -> {
                object(into);
                return Kind.OBJECT;
            }
            case '[' -> {
                array();
                return Kind.ARRAY;
            }
            case '"' -> {
                scalar = string();
                return Kind.STRING;
            }
            case 't' -> {
                literal("true");
                return Kind.BOOLEAN;
            }
            case 'f' -> {
                literal("false");
                return Kind.BOOLEAN;
            }
            case 'n' -> {
                literal("null");
                return Kind.NULL;
            }
            default -> {
                if (c != '-' && !isDigit(c)) {
                    throw error("unexpected " + describe(c) + "; expected a value");
                }
                scalar = number();
                return Kind.NUMBER;
            }
        }
    }

    private void object(Map<String, Object> into) throws SyntaxException {
        at++; // {
        skipSpace();
        if (peek("a field name or '}'") == '}') {
            at++;
            return;
        }
        while (true) {
            if (peek("a field name") != '"') {
                throw error("unexpected " + describe(text.charAt(at)) + "; expected a field name in double quotes");
            }
            String name = string();
            skipSpace();
            expect(':', "':' after the field name");
            skipSpace();
            Kind kind = value(null);
            if (into != null) {
                into.put(name, kind == Kind.STRING || kind == Kind.NUMBER ? scalar : OTHER);
            }
            skipSpace();
            if (peek("',' or '}'") == '}') {
                at++;
                return;
            }
            expect(',', "',' or '}'");
            skipSpace();
        }
    }

    private void array() throws SyntaxException {
        at++; // [
        skipSpace();
        if (peek("a value or ']'") == ']') {
            at++;
            return;
        }
        while (true) {
            value(null);
            skipSpace();
            if (peek("',' or ']'") == ']') {
                at++;
                return;
            }
            expect(',', "',' or ']'");
            skipSpace();
        }
    }

    private String string() throws SyntaxException {
        at++; // the opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = peek("the rest of the string and its closing '\"'");
            at++;
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                at--;
                throw error("a control character (U+%04X) in a string; JSON writes it as an escape such as \\n".formatted((int) c));
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = peek("an escape after '\\'");
            at++;
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        at = text.length();
                        throw error("the file ends inside a \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at), 16);
                        if (digit < 0) {
                            throw error("unexpected " + describe(text.charAt(at)) + " in a \\u escape; expected four hex digits");
                        }
                        code = code * 16 + digit;
                        at++;
                    }
                    out.append((char) code);
                }
                default -> {
                    at--;
                    throw error("'\\" + e + "' is not a JSON escape");
                }
            }
        }
    }

    /** Checks a number's grammar; returns it as a Long when it is whole and fits, else {@link #OTHER}. */
    private Object number() throws SyntaxException {
        int start = at;
        if (text.charAt(at) == '-') {
            at++;
        }
        if (peek("a digit") == '0') {
            at++;
            if (at < text.length() && isDigit(text.charAt(at))) {
                throw error("a number does not start with 0 in JSON (unless it is 0)");
            }
        } else {
            digits();
        }
        boolean whole = true;
        if (at < text.length() && text.charAt(at) == '.') {
            at++;
            digits();
            whole = false;
        }
        if (at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at++;
            if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                at++;
            }
            digits();
            whole = false;
        }
        if (!whole) {
            return OTHER;
        }
        try {
            return Long.parseLong(text, start, at, 10);
        } catch (NumberFormatException e) {
            return OTHER; // a whole number beyond a long
        }
    }

    private void digits() throws SyntaxException {
        if (!isDigit(peek("a digit"))) {
            throw error("unexpected " + describe(text.charAt(at)) + "; expected a digit");
        }
        while (at < text.length() && isDigit(text.charAt(at))) {
            at++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws SyntaxException {
        for (int i = 0; i < word.length(); i++) {
            if (peek("'" + word + "'") != word.charAt(i)) {
                throw error("unexpected " + describe(text.charAt(at)) + "; expected '" + word + "'");
            }
            at++;
        }
    }

    private void expect(char c, String what) throws SyntaxException {
        if (peek(what) != c) {
            throw error("unexpected " + describe(text.charAt(at)) + "; expected " + what);
        }
        at++;
    }

    /** The next character, which must exist: the file ending before {@code expected} is an error. */
    private char peek(String expected) throws SyntaxException {
        if (at >= text.length()) {
            throw error("the file ends where " + expected + " should be");
        }
        return text.charAt(at);
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? "character U+%04X".formatted((int) c) : "'" + c + "'";
    }

    /** An error at the current position. */
    private SyntaxException error(String problem) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new SyntaxException(problem, line, at - lineStart + 1);
    }
}
