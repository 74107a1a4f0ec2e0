package dev.mooring.hub.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/** The API's JSON: request and answer bodies of API version 1, and strict reading. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .setDefaultPropertyInclusion(JsonInclude.Include.ALWAYS);

    private Json() {}

    // ---- requests -------------------------------------------------------------------------------

    public record CreateCluster(String name, String cidr, String vip, Integer vni, Integer port) {}

    public record CreateToken(String ttl, Long uses) {}

    public record Register(String machineId, String hostname, String role, List<String> addresses, String version,
                           String overlayAddress) {}

    public record HeartbeatBody(List<String> addresses, String status, Boolean vipHolder) {}

    // ---- answers --------------------------------------------------------------------------------

    public record Cluster(String name, String cidr, String vip, int vni, int port, String key, String created) {}

    public record ClusterListItem(String name, String cidr, String vip, int vni, int port, int hosts) {}

    public record Token(String id, String token, String expires, Long uses) {}

    public record ClusterSettings(String name, String cidr, String vip, int vni, int port, String key) {}

    public record Registered(String hostId, String apiKey, ClusterSettings cluster, String address) {}

    public record Host(String hostId, String machineId, String hostname, String role, String overlay,
                       List<String> underlay, String version, String status, String lastSeen, boolean vipHolder) {}

    public record Peer(String hostId, String hostname, String role, String overlay, List<String> underlay, String lastSeen) {}

    public record Error(String error, String message) {}

    /** Reads a whole body as {@code type}; any problem is a 400 that names the field. */
    public static <T> T read(byte[] body, Class<T> type) throws ApiException {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty; send a JSON object");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("the request body is JSON null; send a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'" + at(e) + "; the fields are: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            throw ApiException.badRequest("field '" + path(e) + "' has the wrong type: " + e.getOriginalMessage()
                    .replaceAll(" at \\[Source.*", "").replaceAll("\\(class [^)]*\\)", "").trim());
        } catch (JsonMappingException e) {
            throw ApiException.badRequest("the request body does not fit " + type.getSimpleName() + ": "
                    + e.getOriginalMessage() + at(e));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage() + at(e));
        } catch (IOException e) {
            throw ApiException.badRequest("the request body cannot be read: " + e.getMessage());
        }
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "(the body)" : p;
    }

    private static String at(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer of the hub cannot be written as JSON", e);
        }
    }
}
