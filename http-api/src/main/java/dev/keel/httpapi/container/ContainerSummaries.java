package dev.keel.httpapi.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.network.Networks.ContainerEndpoint;
import dev.keel.httpapi.route.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The body of {@code GET /containers/json}, from bytes kept per container. The list is the API's most frequent read
 * (clients poll it), and a container's summary changes only with its state — a new {@link State} instance — or its
 * endpoints, except its human "Status" ("Up 3 seconds"), which is written fresh on every list. Clients do not depend on the order of keys.
 */
final class ContainerSummaries {

    private static final int BYTES_PER_SUMMARY = 640;

    /** A summary without its Status: the JSON object's bytes after its opening brace. */
    private record Encoded(State state, Map<String, ContainerEndpoint> endpoints, byte[] restOfObject) {}

    private final Map<String, Encoded> byId = new ConcurrentHashMap<>();
    private final Function<String, Map<String, ContainerEndpoint>> endpointsOf;
    private final Function<String, String> networkName;

    /** @param endpointsOf a running container's endpoints by network id; @param networkName a network's name by id */
    ContainerSummaries(Function<String, Map<String, ContainerEndpoint>> endpointsOf, Function<String, String> networkName) {
        this.endpointsOf = endpointsOf;
        this.networkName = networkName;
    }

    byte[] encode(List<State> states, Instant now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2 + states.size() * BYTES_PER_SUMMARY);
        out.write('[');
        for (int i = 0; i < states.size(); i++) {
            State state = states.get(i);
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes("{\"Status\":".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(jsonString(ContainerCodec.status(state, now)));
            out.write(',');
            out.writeBytes(encoded(state).restOfObject());
        }
        out.write(']');
        forgetOthers(states);
        return out.toByteArray();
    }

    private Encoded encoded(State state) {
        Encoded known = byId.get(state.containerId());
        Map<String, ContainerEndpoint> endpoints = state.isRunning() || state.isPaused()
                ? endpointsOf.apply(state.containerId()) : Map.of();
        if (known != null && known.state() == state && known.endpoints().equals(endpoints)) {
            return known;
        }
        var summary = ContainerCodec.summary(state, endpoints, networkName, Instant.EPOCH);
        summary.remove("Status");
        byte[] object = bytes(summary);
        byte[] rest = new byte[object.length - 1];
        System.arraycopy(object, 1, rest, 0, rest.length);
        Encoded fresh = new Encoded(state, endpoints, rest);
        byId.put(state.containerId(), fresh);
        return fresh;
    }

    /** Keeps the cache to the containers still listed once it has grown well past them (removed containers). */
    private void forgetOthers(List<State> states) {
        if (byId.size() > 2 * states.size() + 64) {
            Set<String> listed = states.stream().map(State::containerId).collect(Collectors.toSet());
            byId.keySet().retainAll(listed);
        }
    }

    private static byte[] jsonString(String value) {
        return bytes(value);
    }

    private static byte[] bytes(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a container summary", e);
        }
    }
}
