package dev.keel.httpapi.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.Engine;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.volume.Volumes;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.volume.VolumeCodec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The Engine API's System group: {@code GET /version}, {@code GET /info}, {@code GET /system/df} and
 * {@code POST /auth} ({@code /_ping} is {@link dev.keel.httpapi.route.ApiRoutes}'s, {@code /events} the event
 * stream's). Registry access comes in a later issue: until then {@code /auth} answers as dockerd does for a registry
 * it cannot reach.
 */
public final class SystemRoutes extends AllDirectives {

    private static final String DEFAULT_REGISTRY = "https://index.docker.io/v1/";

    private final Engine engine;
    private final SystemCodec codec;

    public SystemRoutes(Engine engine, DaemonFacts daemon) {
        this(engine, new SystemCodec(daemon, Clock.systemUTC()));
    }

    SystemRoutes(Engine engine, SystemCodec codec) {
        this.engine = engine;
        this.codec = codec;
    }

    public Route route() {
        return concat(
                path("version", () -> get(() -> complete(Json.ok(codec.version())))),
                path("info", () -> get(() -> extractActorSystem(system -> completeWithFuture(info(blocking(system)))))),
                path(PathMatchers.segment("system").slash("df"), () -> get(() -> extractActorSystem(
                        system -> completeWithFuture(diskUsage(blocking(system)))))),
                path("auth", () -> post(() -> entity(Unmarshaller.entityToByteArray(), this::auth))));
    }

    /** Info reads a few kernel files: on the blocking dispatcher. */
    private CompletionStage<HttpResponse> info(Executor blocking) {
        CompletionStage<List<ContainerEntity.State>> containers = engine.containers().list(true);
        CompletionStage<List<ImageEntity.State>> images = engine.images().list(false);
        return answer(containers.thenCombineAsync(images, (c, i) -> Json.ok(codec.info(c, i.size())), blocking));
    }

    private static Executor blocking(ActorSystem system) {
        return system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
    }

    /** Volume sizes are directory walks: on the blocking dispatcher. */
    private CompletionStage<HttpResponse> diskUsage(Executor blocking) {
        CompletionStage<List<ContainerEntity.State>> containers = engine.containers().list(true);
        CompletionStage<List<ImageEntity.State>> images = engine.images().list(true);
        Volumes volumes = engine.volumes();
        CompletionStage<List<ObjectNode>> volumeUsage = volumes.list().thenApplyAsync(all -> all.stream()
                .map(v -> VolumeCodec.volume(v, Optional.of(volumes.sizeBytes(v.name()).orElse(-1L))))
                .toList(), blocking);
        return answer(containers.thenCompose(c -> images.thenCombine(volumeUsage,
                (i, v) -> Json.ok(codec.diskUsage(c, i, v)))));
    }

    private Route auth(byte[] body) {
        JsonNode config = Json.parse(body, JsonNode.class);
        if (config == null || !config.isObject()) {
            return complete(ErrorBody.response(StatusCodes.BAD_REQUEST, "invalid JSON: expected an AuthConfig object"));
        }
        String server = config.path("serveraddress").asText("");
        String registry = server.isEmpty() ? DEFAULT_REGISTRY : server;
        String endpoint = registry.startsWith("http") ? registry : "https://" + registry + "/v2/";
        return complete(ErrorBody.response(StatusCodes.INTERNAL_SERVER_ERROR,
                "Get \"" + endpoint + "\": keeld cannot reach registries yet (registry access is not implemented)"));
    }

    private static CompletionStage<HttpResponse> answer(CompletionStage<HttpResponse> response) {
        return response.exceptionally(ErrorBody::of);
    }
}
