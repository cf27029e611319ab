package dev.keel.httpapi.network;

import dev.keel.actors.Engine;
import dev.keel.actors.container.NetworkAttachment;
import dev.keel.actors.network.Networks;
import dev.keel.httpapi.container.ContainerNetworkCodec;
import dev.keel.httpapi.image.ImageCodec;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** The Engine API's Networks group: list, inspect, create, remove, connect, disconnect, prune. */
public final class NetworkRoutes extends AllDirectives {

    private static final HttpResponse OK_EMPTY = HttpResponse.create().withStatus(StatusCodes.OK);
    private static final HttpResponse NO_CONTENT = HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);

    private final Networks networks;
    private final Clock clock;

    public NetworkRoutes(Engine engine) {
        this.networks = engine.networks();
        this.clock = Clock.systemUTC();
    }

    public Route route() {
        return pathPrefix("networks", () -> concat(
                pathEnd(() -> get(this::list)),
                path("create", () -> post(this::create)),
                path("prune", () -> post(this::prune)),
                pathPrefix(PathMatchers.segment(), ref -> concat(
                        pathEnd(() -> concat(
                                get(() -> ErrorBody.answer(() -> networks.inspect(ref)
                                        .thenApply(n -> Json.ok(NetworkCodec.resource(n, true))))),
                                delete(() -> ErrorBody.answer(() -> networks.remove(ref).thenApply(r -> NO_CONTENT))))),
                        path("connect", () -> post(() -> connect(ref))),
                        path("disconnect", () -> post(() -> disconnect(ref)))))));
    }

    private Route list() {
        return parameterOptional("filters", json -> ErrorBody.answer(() -> {
            Filters filters = Filters.parse(json.orElse(null), NetworkCodec.LIST_FILTERS);
            return networks.list().thenApply(all -> Json.ok(all.stream()
                    .filter(n -> NetworkCodec.matches(n, filters))
                    .map(n -> NetworkCodec.resource(n, false))
                    .toList()));
        }));
    }

    private Route create() {
        return body(bytes -> ErrorBody.answer(() -> networks.create(NetworkCodec.decodeCreate(bytes))
                .thenApply(n -> Json.response(StatusCodes.CREATED, Map.of("Id", n.id(), "Warning", "")))));
    }

    private Route connect(String ref) {
        return body(bytes -> ErrorBody.answer(() -> {
            JsonFields request = JsonFields.root(bytes, "the Container to connect");
            NetworkAttachment wanted = ContainerNetworkCodec.attachment(ref, request.object("EndpointConfig"));
            return networks.connect(ref, request.text("Container"), wanted.aliases(), wanted.ipv4Address())
                    .thenApply(done -> OK_EMPTY);
        }));
    }

    private Route disconnect(String ref) {
        return body(bytes -> ErrorBody.answer(() -> {
            JsonFields request = JsonFields.root(bytes, "the Container to disconnect");
            return networks.disconnect(ref, request.text("Container"), request.bool("Force")).thenApply(done -> OK_EMPTY);
        }));
    }

    /** Removes every unused user-defined network the filters select; one that fails to go is skipped. */
    private Route prune() {
        return parameterOptional("filters", json -> ErrorBody.answer(() -> {
            Filters filters = Filters.parse(json.orElse(null), NetworkCodec.PRUNE_FILTERS);
            Instant now = clock.instant();
            Instant until = filters.get("until").stream().map(v -> ImageCodec.timestamp("until", v, now))
                    .min(Instant::compareTo).orElse(Instant.MAX);
            return networks.list().thenCompose(all -> pruneEach(all.stream()
                    .filter(n -> NetworkCodec.prunable(n, filters, until)).toList(), 0, new ArrayList<>()))
                    .thenApply(deleted -> Json.ok(Map.of("NetworksDeleted", deleted)));
        }));
    }

    private CompletionStage<List<String>> pruneEach(List<Networks.Network> victims, int next, List<String> deleted) {
        if (next == victims.size()) {
            return CompletableFuture.completedFuture(deleted);
        }
        Networks.Network network = victims.get(next);
        return networks.remove(network.id())
                .handle((removed, failure) -> failure == null)
                .thenCompose(removed -> {
                    if (removed) {
                        deleted.add(network.name());
                    }
                    return pruneEach(victims, next + 1, deleted);
                });
    }

    private Route body(Function<byte[], Route> inner) {
        return entity(Unmarshaller.entityToByteArray(), inner);
    }
}
