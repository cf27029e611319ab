package dev.keel.httpapi.image;

import dev.keel.actors.Engine;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.Containers;
import dev.keel.actors.image.Images;
import dev.keel.httpapi.container.ContainerCodec;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /commit?container=&repo=&tag=&comment=&author=&changes=&pause=}, body an optional Config: the container's
 * writable layer on top of its image's layers becomes a new image (201 {@code {"Id":"sha256:…"}}), its config the
 * container's with the body's Config over it and the {@code changes} (Dockerfile instructions) applied last. A running
 * container is paused while its layer is read unless {@code pause=0}.
 */
public final class CommitRoute extends AllDirectives {

    private static final Logger log = LoggerFactory.getLogger(CommitRoute.class);

    private final Containers containers;
    private final Images images;

    public CommitRoute(Engine engine) {
        this.containers = engine.containers();
        this.images = engine.images();
    }

    public Route route() {
        return path("commit", () -> post(() -> parameterOptional("container", container ->
                parameterOptional("repo", repo -> parameterOptional("tag", tag ->
                        parameterOptional("comment", comment -> parameterOptional("author", author ->
                                parameterOptional("pause", pause -> parameterList("changes", changes ->
                                        entity(Unmarshaller.entityToByteArray(), body -> {
                                            try {
                                                Images.CommitConfig requested = decodeConfig(body);
                                                String reference = ImageCodec.reference(repo.orElse(""), tag.orElse(""));
                                                return completeWithFuture(commit(container.orElse(""), reference,
                                                        comment.orElse(""), author.orElse(""), changes, requested,
                                                        pause.map(p -> ContainerCodec.flag(Optional.of(p))).orElse(true))
                                                        .exceptionally(ErrorBody::of));
                                            } catch (EngineFailure refused) {
                                                return complete(ErrorBody.of(refused));
                                            }
                                        }))))))))));
    }

    private CompletionStage<HttpResponse> commit(String container, String reference, String comment, String author,
                                                 List<String> changes, Images.CommitConfig requested, boolean pause) {
        return containers.changesLayer(container, pause).thenCompose(layer -> {
            ContainerConfig c = layer.container().config();
            Images.CommitConfig own = new Images.CommitConfig(c.cmd(), c.entrypoint(), c.env(), c.workingDir(),
                    c.user(), c.labels(), c.exposedPorts(), c.stopSignal());
            List<String> command = new ArrayList<>(c.entrypoint());
            command.addAll(c.cmd());
            Images.CommitRequest request = new Images.CommitRequest(layer.container().imageId(), layer.layerTar(),
                    requested.over(own), String.join(" ", command), reference, comment, author, changes);
            return images.commit(request).whenComplete((image, failure) -> {
                try {
                    Files.deleteIfExists(layer.layerTar());
                } catch (IOException e) {
                    log.warn("could not remove {}: {}", layer.layerTar(), e.getMessage());
                }
            });
        }).thenApply(image -> Json.response(StatusCodes.CREATED,
                Json.MAPPER.createObjectNode().put("Id", image.imageId())));
    }

    /** The body's Config: empty (or null) sets nothing. */
    private static Images.CommitConfig decodeConfig(byte[] body) {
        JsonFields config = JsonFields.rootOrEmpty(body, "the container's Config");
        return new Images.CommitConfig(config.strings("Cmd", true), config.strings("Entrypoint", true),
                config.strings("Env", false), config.text("WorkingDir"), config.text("User"), config.stringMap("Labels"),
                config.keys("ExposedPorts"), config.text("StopSignal"));
    }
    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
