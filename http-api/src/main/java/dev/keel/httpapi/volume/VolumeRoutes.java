package dev.keel.httpapi.volume;

import dev.keel.actors.Engine;
import dev.keel.actors.volume.Volumes;
import dev.keel.httpapi.container.ContainerCodec;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** The Engine API's Volumes group: list, create, inspect, remove, prune. */
public final class VolumeRoutes extends AllDirectives {

    private static final HttpResponse NO_CONTENT = HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);

    private final Volumes volumes;

    public VolumeRoutes(Engine engine) {
        this.volumes = engine.volumes();
    }

    public Route route() {
        return pathPrefix("volumes", () -> concat(
                pathEnd(() -> get(this::list)),
                path("create", () -> post(this::create)),
                path("prune", () -> post(this::prune)),
                path(PathMatchers.segment(), name -> concat(
                        get(() -> ErrorBody.answer(() -> volumes.inspect(name)
                                .thenApply(v -> Json.ok(VolumeCodec.volume(v))))),
                        delete(() -> parameterOptional("force", force -> ErrorBody.answer(() -> volumes
                                .remove(name, ContainerCodec.flag(force)).thenApply(removed -> NO_CONTENT))))))));
    }

    private Route list() {
        return parameterOptional("filters", json -> ErrorBody.answer(() -> {
            Filters filters = VolumeCodec.listFilters(json.orElse(null));
            return volumes.list().thenApply(all -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("Volumes", all.stream().filter(v -> VolumeCodec.matches(v, filters))
                        .map(VolumeCodec::volume).toList());
                out.put("Warnings", List.of());
                return Json.ok(out);
            });
        }));
    }

    private Route create() {
        return entity(Unmarshaller.entityToByteArray(), bytes -> ErrorBody.answer(() -> {
            VolumeCodec.CreateRequest request = VolumeCodec.decodeCreate(bytes);
            return volumes.create(request.name(), request.driver(), request.driverOptions(), request.labels())
                    .thenApply(v -> Json.response(StatusCodes.CREATED, VolumeCodec.volume(v)));
        }));
    }

    /** Removes every volume the filters select that is unused; one that fails to go is skipped, as Docker does. */
    private Route prune() {
        return extractRequest(request -> extractActorSystem(system -> parameterOptional("filters",
                json -> ErrorBody.answer(() -> {
                    ApiVersion version = ApiVersion.of(request);
                    Filters filters = VolumeCodec.pruneFilters(json.orElse(null), version);
                    return volumes.list().thenCompose(all -> pruneEach(all.stream()
                                    .filter(v -> VolumeCodec.prunable(v, filters, version)).toList(), 0,
                                    new Pruned(new ArrayList<>(), 0), blocking(system)))
                            .thenApply(pruned -> Json.ok(Map.of("VolumesDeleted", pruned.names(),
                                    "SpaceReclaimed", pruned.bytes())));
                }))));
    }

    private record Pruned(List<String> names, long bytes) {}

    /** One at a time: each volume's size is measured (a directory walk, off the route's thread) before it goes. */
    private CompletionStage<Pruned> pruneEach(List<Volumes.Volume> victims, int next, Pruned pruned, Executor blocking) {
        if (next == victims.size()) {
            return CompletableFuture.completedFuture(pruned);
        }
        String name = victims.get(next).name();
        return CompletableFuture.supplyAsync(() -> volumes.sizeBytes(name).orElse(0L), blocking)
                .thenCompose(size -> volumes.remove(name, false)
                        .handle((removed, failure) -> failure == null ? size : -1L))
                .thenCompose(size -> {
                    if (size >= 0) {
                        pruned.names().add(name);
                    }
                    return pruneEach(victims, next + 1,
                            new Pruned(pruned.names(), pruned.bytes() + Math.max(size, 0)), blocking);
                });
    }

    private static Executor blocking(ActorSystem system) {
        return system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
    }
}
