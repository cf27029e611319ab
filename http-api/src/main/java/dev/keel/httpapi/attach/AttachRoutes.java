package dev.keel.httpapi.attach;

import dev.keel.actors.Engine;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.Containers;
import dev.keel.httpapi.container.ContainerCodec;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.transport.Hijack;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /containers/{id}/attach}: the container's stdio over the request's own connection, which the transport
 * hands over ({@link Hijack}) once the container is found. Output is Docker's multiplexed frames, or raw bytes for a
 * TTY container; the client's bytes go to the container's stdin when it asked for {@code stdin} and the container has
 * it open. The connection closes when the container's output ends; a client that half-closes ends the container's
 * stdin and still gets the rest of the output. A refusal (no such container) is an ordinary error response.
 *
 * <p>{@code logs=1} sends what the container already logged first; {@code stream=0} sends only that. The
 * {@link DetachKeys} in a TTY container's input end the attachment and leave the container running.
 */
public final class AttachRoutes extends AllDirectives {

    private final Containers containers;

    public AttachRoutes(Engine engine) {
        this.containers = engine.containers();
    }

    public Route route() {
        return pathPrefix("containers", () -> pathPrefix(PathMatchers.segment(), ref ->
                path("attach", () -> post(() -> extractRequest(request -> parameterMap(query ->
                        completeWithFuture(attach(ref, request, query).exceptionally(ErrorBody::of))))))));
    }

    private CompletionStage<HttpResponse> attach(String ref, HttpRequest request, Map<String, String> query) {
        boolean stdin = flag(query, "stdin");
        boolean stdout = flag(query, "stdout");
        boolean stderr = flag(query, "stderr");
        boolean stream = flag(query, "stream");
        boolean logs = flag(query, "logs");
        DetachKeys detachKeys;
        try {
            detachKeys = Optional.ofNullable(query.get("detachKeys")).filter(k -> !k.isEmpty())
                    .map(DetachKeys::parse).orElse(DetachKeys.DEFAULT);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ErrorBody.response(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
        // Docker upgrades whenever the header is there, whatever it names.
        boolean upgrade = request.getHeader("Upgrade").isPresent();
        return containers.inspect(ref).thenCompose(state -> {
            boolean tty = state.config().tty();
            String contentType = ContainerCodec.logContentType(ApiVersion.of(request), tty).toString();
            CompletionStage<Optional<Containers.Attachment>> attachment = stream
                    ? containers.attach(state.containerId()).thenApply(Optional::of)
                    : CompletableFuture.completedFuture(Optional.empty());
            return attachment.thenApply(attached -> {
                Flow<ByteString, ByteString, NotUsed> streams =
                        streams(state, attached, stdin, stdout, stderr, logs, detachKeys);
                Hijack hijack = upgrade ? Hijack.upgraded(contentType, streams) : Hijack.plain(contentType, streams);
                return hijack.response();
            });
        });
    }

    /**
     * The bytes of the attached connection. The attachment's output is always read, even when the client wants
     * neither stream, because the container's monitor stalls while an attached reader does not read. With a TTY the
     * detach keys in the client's input end both directions, and with them the connection; without one, as in
     * dockerd, stdin is copied as it comes (binary input may hold any bytes).
     */
    private Flow<ByteString, ByteString, NotUsed> streams(ContainerEntity.State state,
                                                          Optional<Containers.Attachment> attached, boolean stdin,
                                                          boolean stdout, boolean stderr, boolean logs,
                                                          DetachKeys detachKeys) {
        boolean tty = state.config().tty();
        Source<Containers.LogLine, NotUsed> live = attached.map(Containers.Attachment::output).orElse(Source.empty());
        Source<Containers.LogLine, NotUsed> output = logs
                ? Source.completionStageSource(containers.logs(state.containerId(), new Containers.LogQuery(
                        stdout, stderr, Instant.MIN, Instant.MAX, -1, false)))
                        .mapMaterializedValue(m -> NotUsed.getInstance())
                        .concat(live)
                : live;
        Source<ByteString, NotUsed> frames = output
                .filter(line -> line.stream() == Containers.LogStream.STDOUT ? stdout : stderr)
                .map(line -> ContainerCodec.logFrame(line, tty, false));
        if (!stdin || attached.isEmpty()) {
            return Flow.fromSinkAndSource(Sink.ignore(), frames);
        }
        if (!tty) {
            return Flow.fromSinkAndSource(attached.get().input(), frames);
        }
        SharedKillSwitch detach = KillSwitches.shared("attach-detach");
        Sink<ByteString, NotUsed> input = detachKeys.watch(detach::shutdown).to(attached.get().input());
        return Flow.fromSinkAndSource(input, frames.via(detach.flow()));
    }

    private static boolean flag(Map<String, String> query, String name) {
        return ContainerCodec.flag(Optional.ofNullable(query.get(name)));
    }
}
