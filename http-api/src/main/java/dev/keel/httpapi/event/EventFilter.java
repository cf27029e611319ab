package dev.keel.httpapi.event;

import dev.keel.httpapi.route.Filters;
import java.util.Set;

/**
 * dockerd's event filter ({@code daemon/events/filter.go}): values of one key are OR'ed, keys AND'ed; {@code type},
 * {@code scope} and {@code event} match exactly; names (container, network, volume, daemon, ...) match the actor's id
 * or its {@code name} attribute exactly or by prefix, on events of every type; {@code image} matches the actor's id or
 * image name, also without its tag; every {@code label} must hold for the attributes.
 */
public record EventFilter(Filters filters) {

    /** The keys dockerd accepts in {@code GET /events?filters=}. */
    public static final Set<String> KEYS = Set.of("config", "container", "daemon", "event", "image", "label", "network",
            "node", "plugin", "scope", "secret", "service", "type", "volume");

    /** The actions whose messages carry a suffix ("exec_start: sh"), matched by prefix. */
    private static final Set<String> SUFFIXED_ACTIONS = Set.of("health_status", "exec_create", "exec_start");

    private static final Set<String> NAMED_TYPES = Set.of("container", "daemon", "network", "node", "plugin", "secret",
            "service", "config", "volume");

    public static final EventFilter NONE = new EventFilter(Filters.NONE);

    /** Parses Docker's {@code filters} parameter (either wire form); a malformed one is an invalid argument. */
    public static EventFilter parse(String json) {
        return new EventFilter(Filters.parse(json, KEYS));
    }

    public boolean includes(DockerEvents.Message message) {
        if (filters.values().isEmpty()) {
            return true;
        }
        return matchesAction(message.action())
                && filters.matchesAny("type", message.type()::equals)
                && filters.matchesAny("scope", "local"::equals)
                && matchesNames(message)
                && matchesImage(message)
                && filters.matchesLabels("label", message.attributes());
    }

    private boolean matchesAction(String action) {
        boolean prefixed = filters.get("event").stream().anyMatch(SUFFIXED_ACTIONS::contains);
        return filters.matchesAny("event", wanted -> wanted.equals(action) || prefixed && action.startsWith(wanted));
    }

    private boolean matchesNames(DockerEvents.Message message) {
        String name = message.attributes().get("name");
        for (String key : NAMED_TYPES) {
            if (!filters.matchesAny(key, wanted -> message.actorId().startsWith(wanted)
                    || name != null && name.startsWith(wanted))) {
                return false;
            }
        }
        return true;
    }

    private boolean matchesImage(DockerEvents.Message message) {
        String imageName = message.attributes().getOrDefault(
                DockerEvents.IMAGE.equals(message.type()) ? "name" : "image", "");
        String id = message.actorId();
        return filters.matchesAny("image", wanted -> wanted.equals(id) || wanted.equals(imageName)
                || wanted.equals(withoutTag(id)) || wanted.equals(withoutTag(imageName)));
    }

    /** The repository of a reference ("busybox:1" and "busybox@sha256:…" are "busybox"); an id stays whole. */
    static String withoutTag(String reference) {
        if (reference.startsWith("sha256:")) {
            return reference;
        }
        int at = reference.indexOf('@');
        String named = at < 0 ? reference : reference.substring(0, at);
        int colon = named.lastIndexOf(':');
        return colon > named.lastIndexOf('/') ? named.substring(0, colon) : named;
    }
}
