package dev.keel.pluginhost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * One legacy plugin found by name: its address, the interfaces its {@code Plugin.Activate} answer listed, and the
 * calls to it.
 *
 * <p>A call that cannot connect is retried with back-off up to the retry limit; once the connection works again the
 * plugin is activated again before the call is repeated, because a plugin that restarted expects the handshake first.
 * A call that was sent is never repeated: the plugin may have acted on it.
 */
public final class Plugin {

    /** Decodes as Go does: field names case-insensitively, unknown fields ignored. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The error field of every protocol but IPAM's. */
    public static final String ERR = "Err";

    private static final String ACTIVATE = "Plugin.Activate";

    private final String name;
    private final PluginAddress address;
    private final PluginHttpClient http;
    private final Backoff backoff;
    private volatile List<String> implemented = List.of();

    Plugin(String name, PluginAddress address, PluginHttpClient http, Backoff backoff) {
        this.name = name;
        this.address = address;
        this.http = http;
        this.backoff = backoff;
    }

    public String name() {
        return name;
    }

    public PluginAddress address() {
        return address;
    }

    /** The wire names from the last successful activation, e.g. {@code ["VolumeDriver"]}. */
    public List<String> implementedInterfaces() {
        return implemented;
    }

    public boolean implementsInterface(PluginInterface wanted) {
        return implemented.contains(wanted.wireName());
    }

    /** Sends {@code Plugin.Activate}, retrying while the plugin cannot be reached. */
    synchronized void activate() {
        Backoff.Attempts attempts = backoff.start();
        while (true) {
            try {
                activateOnce();
                return;
            } catch (PluginHttpClient.ConnectFailed e) {
                if (!attempts.awaitNext()) {
                    throw unreachable(e, attempts);
                }
            }
        }
    }

    private void activateOnce() throws PluginHttpClient.ConnectFailed {
        PluginHttpClient.HttpAnswer answer = http.post(name, address, ACTIVATE, new byte[0]);
        ObjectNode body = decode(ACTIVATE, answer, ERR);
        JsonNode list = field(body, "Implements").orElse(null);
        if (list == null || !list.isArray()) {
            throw new PluginFailure(PluginFailure.Reason.BAD_ANSWER,
                    "plugin " + name + " answered " + ACTIVATE + " without an Implements list");
        }
        implemented = StreamSupport.stream(list.spliterator(), false)
                .map(JsonNode::asText).toList();
    }

    /**
     * Calls {@code method} ("VolumeDriver.Mount") with {@code request} (null for an empty body) and decodes the
     * answer.
     *
     * @param via the interface the caller uses; after a re-activation the plugin must still implement it
     * @param errorField the answer field carrying the plugin's error: {@link #ERR}, or "Error" for IPAM
     * @throws PluginFailure on any failure, with the plugin's text for its own errors
     */
    public <T> T call(PluginInterface via, String method, Object request, Class<T> answerType, String errorField) {
        byte[] body = encode(method, request);
        Backoff.Attempts attempts = backoff.start();
        boolean lostContact = false;
        while (true) {
            try {
                if (lostContact) {
                    reactivate(via);
                }
                PluginHttpClient.HttpAnswer answer = http.post(name, address, method, body);
                return convert(method, decode(method, answer, errorField), answerType);
            } catch (PluginHttpClient.ConnectFailed e) {
                lostContact = true;
                if (!attempts.awaitNext()) {
                    throw unreachable(e, attempts);
                }
            }
        }
    }

    private synchronized void reactivate(PluginInterface via) throws PluginHttpClient.ConnectFailed {
        activateOnce();
        if (!implementsInterface(via)) {
            throw new PluginFailure(PluginFailure.Reason.WRONG_INTERFACE, "plugin " + name
                    + " no longer implements " + via.wireName() + " after it restarted");
        }
    }

    private PluginFailure unreachable(PluginHttpClient.ConnectFailed e, Backoff.Attempts attempts) {
        return new PluginFailure(PluginFailure.Reason.UNREACHABLE, "plugin " + name + " is unreachable ("
                + e.getMessage() + "), gave up after " + attempts.elapsed().toMillis() + " ms", e);
    }

    private byte[] encode(String method, Object request) {
        if (request == null) {
            return new byte[0];
        }
        try {
            return JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + method + " request", e);
        }
    }

    /** Turns an answer into its JSON object, or the failure it stands for. */
    private ObjectNode decode(String method, PluginHttpClient.HttpAnswer answer, String errorField) {
        if (answer.status() == 404) {
            throw new PluginFailure(PluginFailure.Reason.NOT_IMPLEMENTED,
                    "plugin " + name + " does not implement " + method);
        }
        if (answer.status() != 200) {
            String text = answer.text().strip();
            Optional<String> err = parseObject(answer.body())
                    .flatMap(o -> errorText(o, errorField).or(() -> errorText(o, ERR)));
            String message = err.orElse(text.isEmpty() ? "HTTP status " + answer.status() : text);
            throw new PluginFailure(PluginFailure.Reason.PLUGIN_ERROR, method + ": " + message);
        }
        if (answer.body().length == 0 || answer.text().isBlank()) {
            return JSON.createObjectNode();
        }
        ObjectNode object = parseObject(answer.body()).orElseThrow(() -> new PluginFailure(
                PluginFailure.Reason.BAD_ANSWER, "plugin " + name + " answered " + method
                + " with invalid JSON: " + abbreviate(answer.text())));
        errorText(object, errorField).ifPresent(err -> {
            throw new PluginFailure(PluginFailure.Reason.PLUGIN_ERROR, method + ": " + err);
        });
        return object;
    }

    private <T> T convert(String method, ObjectNode object, Class<T> answerType) {
        if (answerType == ObjectNode.class || answerType == JsonNode.class) {
            return answerType.cast(object);
        }
        try {
            return JSON.treeToValue(object, answerType);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PluginFailure(PluginFailure.Reason.BAD_ANSWER, "plugin " + name + " answered " + method
                    + " with JSON that does not fit the protocol: " + originalMessage(e), e);
        }
    }

    private static String originalMessage(Exception e) {
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    }

    private static Optional<ObjectNode> parseObject(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of((ObjectNode) node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> errorText(ObjectNode object, String errorField) {
        return field(object, errorField).filter(JsonNode::isTextual).map(JsonNode::asText).filter(s -> !s.isEmpty());
    }

    /** Go's rule: an exact match first, then any field equal ignoring case. */
    public static Optional<JsonNode> field(JsonNode object, String wanted) {
        if (object == null || !object.isObject()) {
            return Optional.empty();
        }
        JsonNode exact = object.get(wanted);
        if (exact != null) {
            return Optional.of(exact).filter(n -> !n.isNull());
        }
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            if (entry.getKey().equalsIgnoreCase(wanted)) {
                return Optional.of(entry.getValue()).filter(n -> !n.isNull());
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(String s) {
        String oneLine = s.strip().replace('\n', ' ');
        return oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine;
    }

    @Override
    public String toString() {
        return "plugin " + name + " at " + address;
    }
}
