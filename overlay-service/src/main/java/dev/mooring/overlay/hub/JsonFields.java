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
 * The hub's small JSON files read with Jackson's streaming parser, not an ObjectMapper: the
 * overlay reads them before it is READY, and a mapper costs ~100 ms and ~600 classes there.
 * An object is read against the fields it may have and their kinds; every value keeps where it
 * starts, so a caller that finds it wrong (not an address, another version) can say where.
 */
final class JsonFields {

    /** A repeated field is refused: which of the two was meant is anyone's guess. */
    static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

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
            if (p.nextToken() == null) {
                throw new Problem("the file is empty", null);
            }
            T value = reading.read(p);
            if (p.nextToken() != null) {
                throw new Problem("more follows the end of the JSON value", p.currentTokenLocation());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new Problem(e.getOriginalMessage(), e.getLocation());
        } catch (IOException e) {
            throw new Problem(e.getMessage(), null); // bytes in memory: only a broken encoding gets here
        }
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
        expect(p, JsonToken.START_OBJECT, what + " (a JSON object)");
        Map<String, Value> fields = new HashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            Kind kind = known.get(name);
            if (kind == null) {
                throw new Problem("unknown field '" + name + "' in " + what + " (its fields are " + String.join(", ", known.keySet())
                        + ")", p.currentTokenLocation());
            }
            JsonToken token = p.nextToken();
            JsonLocation at = p.currentTokenLocation();
            fields.put(name, new Value(token == JsonToken.VALUE_NULL ? null : switch (kind) {
                case TEXT -> text(p, name);
                case WHOLE_NUMBER -> wholeNumber(p, name);
                case TEXTS -> texts(p, name);
            }, at));
        }
        return fields;
    }

    private static String text(JsonParser p, String field) throws Problem, IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongKind(p, field, "a string");
        }
        return p.getText();
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

    private static List<String> texts(JsonParser p, String field) throws Problem, IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongKind(p, field, "a list of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
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
