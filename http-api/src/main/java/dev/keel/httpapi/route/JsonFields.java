package dev.keel.httpapi.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A JSON object of a request, read with Go's rules: names match case-insensitively when not exactly, null is the
 * zero value, and a value of the wrong type is refused with the field's path.
 */
public record JsonFields(JsonNode node, String path) {

    private static final JsonFields EMPTY = new JsonFields(Json.MAPPER.createObjectNode(), "");

    public static JsonFields root(byte[] body, String what) {
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw invalid("request body is empty: expected a JSON object with " + what);
        }
        JsonNode node = Json.parse(body, JsonNode.class);
        if (!node.isObject()) {
            throw invalid("invalid JSON: expected an object with " + what + ", got " + kind(node));
        }
        return new JsonFields(node, "");
    }

    /** Like {@link #root}, but an empty body or JSON {@code null} is an object without fields. */
    public static JsonFields rootOrEmpty(byte[] body, String what) {
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()
                || Json.parse(body, JsonNode.class).isNull()) {
            return EMPTY;
        }
        return root(body, what);
    }

    public boolean has(String field) {
        JsonNode v = get(field);
        return v != null && !v.isNull();
    }

    public String text(String field) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw wrongType(field, "a string", v);
        }
        return v.textValue();
    }

    public boolean bool(String field) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, "true or false", v);
        }
        return v.booleanValue();
    }

    public long integer(String field) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, "a 64-bit integer", v);
        }
        return v.longValue();
    }

    /** A list of strings; with {@code single}, one string is a list of one (Docker's StrSlice). */
    public List<String> strings(String field, boolean single) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (single && v.isTextual()) {
            return List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw wrongType(field, single ? "a string or an array of strings" : "an array of strings", v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw wrongType(field, "an array of strings", v);
            }
            out.add(item.textValue());
        }
        return out;
    }

    public Map<String, String> stringMap(String field) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode v = objectOrNull(field, "an object of strings");
        if (v != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw wrongType(field + "." + e.getKey(), "a string", e.getValue());
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
        }
        return out;
    }

    /** The keys of an object such as ExposedPorts ({@code {"80/tcp":{}}}). */
    public List<String> keys(String field) {
        JsonNode v = objectOrNull(field, "an object");
        List<String> out = new ArrayList<>();
        if (v != null) {
            v.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    public JsonFields object(String field) {
        JsonNode v = objectOrNull(field, "an object");
        return v == null ? new JsonFields(EMPTY.node, qualified(field)) : new JsonFields(v, qualified(field));
    }

    private JsonNode objectOrNull(String field, String expected) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(field, expected, v);
        }
        return v;
    }

    private JsonNode get(String field) {
        JsonNode exact = node.get(field);
        if (exact != null) {
            return exact;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(field)) {
                return e.getValue();
            }
        }
        return null;
    }

    private String qualified(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private EngineFailure wrongType(String field, String expected, JsonNode got) {
        return invalid("invalid JSON for field " + qualified(field) + ": expected " + expected + ", got " + kind(got));
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "string " + v;
        }
        if (v.isNumber()) {
            return "number " + v;
        }
        if (v.isBoolean()) {
            return "boolean " + v;
        }
        return v.isArray() ? "an array" : v.isObject() ? "an object" : v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
