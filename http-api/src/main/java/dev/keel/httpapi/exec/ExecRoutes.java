package dev.keel.httpapi.exec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.Engine;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.Containers;
import dev.keel.actors.container.Execs;
import dev.keel.httpapi.attach.DetachKeys;
import dev.keel.httpapi.container.ContainerCodec;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import dev.keel.httpapi.transport.Hijack;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API's exec endpoints: {@code POST /containers/{id}/exec} (201 {@code {"Id"}}), {@code POST /exec/{id}/start}
 * (hijacked like attach unless {@code Detach}), {@code POST /exec/{id}/resize} and {@code GET /exec/{id}/json}.
 *
 * <p>Exec start takes the connection over ({@link Hijack}) once the process runs: output is multiplexed unless the
 * start body's {@code Tty} is set (Docker frames by the start body, not the create body), the client's bytes go to the
 * process's stdin when it was created with {@code AttachStdin}, and the connection closes once the process has ended
 * and its exit code is recorded, so the CLI's next {@code GET /exec/{id}/json} reads it. A refusal before that (no such
 * instance, a container that stopped) is an ordinary error response.
 */
public final class ExecRoutes extends AllDirectives {

    private static final HttpResponse OK_EMPTY = HttpResponse.create().withStatus(StatusCodes.OK);

    private final Execs execs;

    public ExecRoutes(Engine engine) {
        this.execs = engine.execs();
    }

    public Route route() {
        return concat(
                pathPrefix("containers", () -> pathPrefix(PathMatchers.segment(), ref ->
                        path("exec", () -> post(() -> body(bytes -> ErrorBody.answer(() -> create(ref, bytes))))))),
                pathPrefix("exec", () -> pathPrefix(PathMatchers.segment(), id -> concat(
                        path("json", () -> get(() -> ErrorBody.answer(() -> execs.inspect(id)
                                .thenApply(state -> Json.ok(inspect(state)))))),
                        path("resize", () -> post(() -> resize(id))),
                        path("start", () -> post(() -> extractRequest(request -> body(bytes ->
                                ErrorBody.answer(() -> start(id, request, bytes))))))))));
    }

    private CompletionStage<HttpResponse> create(String ref, byte[] bytes) {
        JsonFields body = JsonFields.root(bytes, "the exec's command");
        String detachKeys = body.text("DetachKeys");
        if (!detachKeys.isEmpty()) {
            detachKeys(detachKeys);
        }
        Execs.ExecRequest request = new Execs.ExecRequest(body.strings("Cmd", true), body.strings("Env", false),
                body.text("WorkingDir"), body.text("User"), body.bool("Tty"), body.bool("AttachStdin"),
                body.bool("AttachStdout"), body.bool("AttachStderr"), body.bool("Privileged"), detachKeys);
        return execs.create(ref, request).thenApply(id -> Json.response(StatusCodes.CREATED,
                Json.MAPPER.createObjectNode().put("Id", id)));
    }

    private CompletionStage<HttpResponse> start(String id, HttpRequest request, byte[] bytes) {
        JsonFields body = JsonFields.rootOrEmpty(bytes, "how to start the exec");
        boolean tty = body.bool("Tty");
        if (body.bool("Detach")) {
            return execs.startDetached(id).thenApply(state -> OK_EMPTY);
        }
        // Docker upgrades whenever the header is there, whatever it names.
        boolean upgrade = request.getHeader("Upgrade").isPresent();
        String contentType = ContainerCodec.logContentType(ApiVersion.of(request), tty).toString();
        return execs.inspect(id).thenCompose(before -> execs.startAttached(id).thenApply(attachment -> {
            Flow<ByteString, ByteString, NotUsed> streams = streams(before.request(), attachment, tty);
            Hijack hijack = upgrade ? Hijack.upgraded(contentType, streams) : Hijack.plain(contentType, streams);
            return hijack.response();
        }));
    }

    /**
     * The bytes of the hijacked connection. The output is always read whole (the monitor stalls while an attached reader
     * does not read), and only the streams the instance was created to attach are sent. With a TTY the detach keys in
     * the client's input end the connection and leave the process running.
     */
    private static Flow<ByteString, ByteString, NotUsed> streams(Execs.ExecRequest request,
                                                                 Containers.Attachment attachment, boolean tty) {
        Source<ByteString, NotUsed> frames = attachment.output()
                .filter(line -> line.stream() == Containers.LogStream.STDOUT
                        ? request.attachStdout() : request.attachStderr())
                .map(line -> ContainerCodec.logFrame(line, tty, false));
        if (!request.attachStdin()) {
            return Flow.fromSinkAndSource(Sink.ignore(), frames);
        }
        if (!request.tty()) {
            return Flow.fromSinkAndSource(attachment.input(), frames);
        }
        DetachKeys keys = request.detachKeys().isEmpty() ? DetachKeys.DEFAULT : detachKeys(request.detachKeys());
        SharedKillSwitch detach = KillSwitches.shared("exec-detach");
        return Flow.fromSinkAndSource(keys.watch(detach::shutdown).to(attachment.input()), frames.via(detach.flow()));
    }

    private Route resize(String id) {
        return parameterOptional("h", h -> parameterOptional("w", w -> ErrorBody.answer(() -> {
            long height = ContainerCodec.integer("h", h, 0);
            long width = ContainerCodec.integer("w", w, 0);
            if (height < 0 || width < 0 || height > 0xFFFF || width > 0xFFFF) {
                throw invalid("invalid terminal size " + height + "x" + width);
            }
            return execs.resize(id, (int) height, (int) width).thenApply(state -> OK_EMPTY);
        })));
    }

    /** Docker's ExecInspect; ExitCode is null until the process has ended. */
    static ObjectNode inspect(Execs.ExecState state) {
        Execs.ExecRequest r = state.request();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("CanRemove", false);
        out.put("ContainerID", state.containerId());
        out.put("DetachKeys", r.detachKeys());
        if (state.exitCode().isPresent()) {
            out.put("ExitCode", state.exitCode().get());
        } else {
            out.putNull("ExitCode");
        }
        out.put("ID", state.execId());
        out.put("OpenStderr", r.attachStderr());
        out.put("OpenStdin", r.attachStdin());
        out.put("OpenStdout", r.attachStdout());
        ObjectNode process = out.putObject("ProcessConfig");
        ArrayNode arguments = process.putArray("arguments");
        r.cmd().stream().skip(1).forEach(arguments::add);
        process.put("entrypoint", r.cmd().isEmpty() ? "" : r.cmd().get(0));
        process.put("privileged", r.privileged());
        process.put("tty", r.tty());
        process.put("user", r.user());
        out.put("Running", state.running());
        out.put("Pid", state.pid());
        return out;
    }

    // --- request decoding ---------------------------------------------------------------------------------------------
    /** The client's detach keys; Docker's message when they are not keys. */
    private static DetachKeys detachKeys(String keys) {
        try {
            return DetachKeys.parse(keys);
        } catch (IllegalArgumentException bad) {
            throw invalid(bad.getMessage());
        }
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }

    private Route body(Function<byte[], Route> inner) {
        return entity(Unmarshaller.entityToByteArray(), inner);
    }
}
