package dev.keel.httpapi.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code filters} query parameter, in both wire forms: {@code {"key":{"value":true}}} (current) and
 * {@code {"key":["value"]}} (legacy). Values of one key are OR'ed, different keys AND'ed.
 */
public record Filters(Map<String, Set<String>> values) {

    public static final Filters NONE = new Filters(Map.of());

    public Filters {
        values = Map.copyOf(values);
    }

    /** Parses the parameter (absent or empty means none), accepting only {@code allowedKeys}. */
    public static Filters parse(String json, Set<String> allowedKeys) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("invalid filter: " + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            throw invalid("invalid filter: expected a JSON object, got " + json);
        }
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!allowedKeys.contains(field.getKey())) {
                throw invalid("invalid filter '" + field.getKey() + "'");
            }
            values.put(field.getKey(), valuesOf(field.getKey(), field.getValue()));
        }
        return new Filters(values);
    }

    private static Set<String> valuesOf(String key, JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node.isArray()) {
            node.forEach(v -> out.add(v.asText()));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> value = it.next();
                if (!value.getValue().isBoolean()) {
                    throw invalid("invalid filter '" + key + "': values must be true");
                }
                if (value.getValue().asBoolean()) {
                    out.add(value.getKey());
                }
            }
        } else {
            throw invalid("invalid filter '" + key + "': expected a list or a map of values");
        }
        return out;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Set<String> get(String key) {
        return values.getOrDefault(key, Set.of());
    }

    /** True when the key is absent, or one of its values satisfies {@code test}. */
    public boolean matchesAny(String key, java.util.function.Predicate<String> test) {
        Set<String> wanted = values.get(key);
        return wanted == null || wanted.stream().anyMatch(test);
    }

    /**
     * Docker's label filter: every {@code label} value ("k" or "k=v") must hold for {@code labels}.
     */
    public boolean matchesLabels(String key, Map<String, String> labels) {
        return get(key).stream().allMatch(wanted -> labelHolds(wanted, labels));
    }

    /** Docker's negated label filter ({@code label!}): no {@code key} value ("k" or "k=v") holds for {@code labels}. */
    public boolean matchesNoLabel(String key, Map<String, String> labels) {
        return get(key).stream().noneMatch(wanted -> labelHolds(wanted, labels));
    }

    private static boolean labelHolds(String wanted, Map<String, String> labels) {
        int eq = wanted.indexOf('=');
        return eq < 0 ? labels.containsKey(wanted) : wanted.substring(eq + 1).equals(labels.get(wanted.substring(0, eq)));
    }

    /** The single value of a key that takes one, or empty. */
    public List<String> list(String key) {
        return List.copyOf(get(key));
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
