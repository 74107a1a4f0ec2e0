package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hub's small JSON files and the hub's answers read with Jackson's streaming parser, not an
 * ObjectMapper: the overlay reads them before it is READY and talks to the hub while idle, and a
 * mapper costs ~100 ms, ~600 classes and ~8 MB there. An object is read against the fields it may
 * have and their kinds; every value keeps where it starts, so a caller that finds it wrong (not an
 * address, another version) can say where.
 *
 * <p>Files are read strictly ({@link #parse}, {@link #object}). The hub's answers are read as the
 * mapper read them before ({@link #parseAnswer}, {@link #answerObject}): a newer hub may add
 * fields, so an unknown field is skipped whole; a number or true/false where text belongs is
 * taken as its text; the last of a repeated field counts; what follows the answer's JSON value is
 * not read.
 */
final class JsonFields {

    /** A repeated field is refused: which of the two was meant is anyone's guess. */
    static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The hub's answers: a repeated field is not refused (the last counts, as with the mapper). */
    private static final JsonFactory ANSWERS = new JsonFactory();

    /** What a field holds; JSON null is allowed for each (the value is then null). */
    enum Kind {
        TEXT, WHOLE_NUMBER, TEXTS
    }

    /** A field's value (String, Long or List of String, or null) and where it starts. */
    record Value(Object value, JsonLocation at) {
        String text() {
            return (String) value;
        }

        Long number() {
            return (Long) value;
        }

        @SuppressWarnings("unchecked")
        List<String> texts() {
            return (List<String>) value;
        }
    }

    /** What is wrong in the JSON and where; the caller adds the file and what to do. */
    static final class Problem extends Exception {
        private final JsonLocation at;

        Problem(String what, JsonLocation at) {
            super(what, null, false, false);
            this.at = at;
        }

        /** {@code file:line:column}, or the file alone when the place is not known. */
        String where(Path file) {
            return JsonFields.where(file, at);
        }

        /** {@code " at line L, column C"}, or nothing when the place is not known (for text not from a file). */
        String at() {
            return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
    }

    /** Reads one JSON value with {@code reading} from its first token; nothing may follow it. */
    @FunctionalInterface
    interface Reading<T> {
        T read(JsonParser p) throws IOException, Problem;
    }

    private JsonFields() {}

    /** {@code file:line:column}, or the file alone when the place is not known. */
    static String where(Path file, JsonLocation at) {
        return at == null || at.getLineNr() < 1 ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    static <T> T parse(byte[] bytes, Reading<T> reading) throws Problem {
        try (JsonParser p = JSON.createParser(bytes)) {
            return read(p, reading, "the file is empty", true);
        } catch (IOException e) {
            throw problem(e);
        }
    }

    /** One of the hub's answers: its first JSON value; what follows it is not read. */
    static <T> T parseAnswer(String text, Reading<T> reading) throws Problem {
        try (JsonParser p = ANSWERS.createParser(text)) {
            return read(p, reading, "the answer is empty", false);
        } catch (IOException e) {
            throw problem(e);
        }
    }

    private static <T> T read(JsonParser p, Reading<T> reading, String empty, boolean whole) throws IOException, Problem {
        if (p.nextToken() == null) {
            throw new Problem(empty, null);
        }
        T value = reading.read(p);
        if (whole && p.nextToken() != null) {
            throw new Problem("more follows the end of the JSON value", p.currentTokenLocation());
        }
        return value;
    }

    private static Problem problem(IOException e) {
        return e instanceof JsonProcessingException j ? new Problem(j.getOriginalMessage(), j.getLocation())
                : new Problem(e.getMessage(), null); // text in memory: only a broken encoding gets here
    }

    /** Refuses anything but {@code token} as the current token; {@code what} names the value expected. */
    static void expect(JsonParser p, JsonToken token, String what) throws Problem {
        if (p.currentToken() != token) {
            throw new Problem("expected " + what + ", found " + kind(p.currentToken()), p.currentTokenLocation());
        }
    }

    /**
     * The fields of the object whose start is the current token, read up to its end. An unknown
     * field, a repeated one or a value of another kind is a problem; a field that is absent is
     * absent from the map.
     */
    static Map<String, Value> object(JsonParser p, String what, Map<String, Kind> known) throws IOException, Problem {
        return object(p, what, known, false);
    }

    /**
     * An object in one of the hub's answers, as the mapper read it into a record: an unknown field
     * is skipped whole, a number or true/false for a text (also in a list of texts) is its text as
     * written, the last of a repeated field counts unless every field had been read before it.
     */
    static Map<String, Value> answerObject(JsonParser p, String what, Map<String, Kind> known) throws IOException, Problem {
        return object(p, what, known, true);
    }

    private static Map<String, Value> object(JsonParser p, String what, Map<String, Kind> known, boolean answer)
            throws IOException, Problem {
        expect(p, JsonToken.START_OBJECT, what + " (a JSON object)");
        Map<String, Value> fields = new HashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            Kind kind = known.get(name);
            if (kind == null && answer) {
                p.nextToken();
                p.skipChildren();
                continue;
            }
            if (answer && fields.size() == known.size()) {
                // The mapper built its record once it had every field and then refused a repeated one
                // ("no fallback setter/field for creator property"); before that the last one counted.
                throw new Problem("field '" + name + "' repeated in " + what, p.currentTokenLocation());
            }
            if (kind == null) {
                throw new Problem("unknown field '" + name + "' in " + what + " (its fields are " + String.join(", ", known.keySet())
                        + ")", p.currentTokenLocation());
            }
            JsonToken token = p.nextToken();
            JsonLocation at = p.currentTokenLocation();
            fields.put(name, new Value(token == JsonToken.VALUE_NULL ? null : switch (kind) {
                case TEXT -> text(p, name, answer);
                case WHOLE_NUMBER -> wholeNumber(p, name);
                case TEXTS -> texts(p, name, answer);
            }, at));
        }
        return fields;
    }

    /** The list whose start is the current token, each element read by {@code element} from its first token. */
    static <T> List<T> list(JsonParser p, String what, Reading<T> element) throws IOException, Problem {
        expect(p, JsonToken.START_ARRAY, what);
        List<T> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            list.add(element.read(p));
        }
        return list;
    }

    /** A scalar as the mapper's tree gave it with asText(): a container is "", a number as the tree holds it. */
    static String scalarAsTreeText(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue().toString();
            case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> {
                p.skipChildren();
                yield "";
            }
        };
    }

    private static String text(JsonParser p, String field, boolean answer) throws Problem, IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING && !(answer && coercible(p.currentToken()))) {
            throw wrongKind(p, field, "a string");
        }
        return p.getText();
    }

    /** What the mapper took as text where text belongs: a number or true/false, as written. */
    private static boolean coercible(JsonToken t) {
        return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_TRUE
                || t == JsonToken.VALUE_FALSE;
    }

    private static Long wholeNumber(JsonParser p, String field) throws Problem, IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongKind(p, field, "a whole number");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new Problem("field '" + field + "' is out of range: " + p.getText(), p.currentTokenLocation());
        }
        return p.getLongValue();
    }

    private static List<String> texts(JsonParser p, String field, boolean answer) throws Problem, IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongKind(p, field, "a list of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (answer && t == JsonToken.VALUE_NULL) {
                texts.add(null); // the mapper kept it; the caller refuses it
                continue;
            }
            if (t != JsonToken.VALUE_STRING && !(answer && coercible(t))) {
                throw new Problem("field '" + field + "' holds " + kind(t) + ", expected a list of strings", p.currentTokenLocation());
            }
            texts.add(p.getText());
        }
        return texts;
    }

    private static Problem wrongKind(JsonParser p, String field, String expected) {
        return new Problem("field '" + field + "' is " + kind(p.currentToken()) + ", expected " + expected, p.currentTokenLocation());
    }

    static String kind(JsonToken token) {
        return switch (token) {
            case null -> "the end of the file";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "true or false";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }
}
