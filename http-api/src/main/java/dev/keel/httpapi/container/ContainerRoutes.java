package dev.keel.httpapi.container;

import static dev.keel.httpapi.container.ContainerCodec.flag;

import dev.keel.actors.Engine;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.Containers;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Json;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API's container endpoints (attach and exec excepted): each decodes the request with the
 * {@link ContainerCodec}, asks {@link Containers} and encodes the answer; refusals become Docker's error bodies
 * through {@link ErrorBody}. Paths this class does not know are left to the other routes.
 */
public final class ContainerRoutes extends AllDirectives {

    private static final HttpResponse NO_CONTENT = HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    private static final HttpResponse OK_EMPTY = HttpResponse.create().withStatus(StatusCodes.OK);

    private final Engine engine;
    private final Containers containers;
    private final Clock clock;
    private final ContainerSummaries summaries;

    public ContainerRoutes(Engine engine) {
        this(engine, Clock.systemUTC());
    }

    ContainerRoutes(Engine engine, Clock clock) {
        this.engine = engine;
        this.containers = engine.containers();
        this.clock = clock;
        this.summaries = new ContainerSummaries(engine.networks()::endpointsOf, engine.networks()::nameOf);
    }

    public Route route() {
        return pathPrefix("containers", () -> concat(
                path("json", () -> get(this::list)),
                path("create", () -> post(this::create)),
                path("prune", () -> post(this::prune)),
                pathPrefix(PathMatchers.segment(), ref -> concat(
                        pathEnd(() -> delete(() -> remove(ref))),
                        path("json", () -> get(() -> inspect(ref))),
                        path("logs", () -> get(() -> logs(ref))),
                        post(() -> concat(
                                path("start", () -> start(ref)),
                                path("stop", () -> stop(ref)),
                                path("restart", () -> restart(ref)),
                                path("kill", () -> kill(ref)),
                                path("pause", () -> ErrorBody.answer(() -> containers.pause(ref).thenApply(s -> NO_CONTENT))),
                                path("unpause", () -> ErrorBody.answer(() -> containers.unpause(ref).thenApply(s -> NO_CONTENT))),
                                path("rename", () -> rename(ref)),
                                path("update", () -> update(ref)),
                                path("resize", () -> resize(ref)),
                                path("wait", () -> await(ref))))))));
    }

    private Route list() {
        return parameterOptional("all", all -> parameterOptional("limit", limit ->
                parameterOptional("filters", filters -> ErrorBody.answer(() -> {
                    long max = ContainerCodec.integer("limit", limit, -1);
                    return ContainerFilter.forList(filters.orElse(""), engine).thenCompose(filter ->
                            containers.list(flag(all) || max > 0 || filter.listsAll()).thenApply(states ->
                                    HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
                                            summaries.encode(filter.select(states, max), clock.instant()))));
                }))));
    }

    private Route create() {
        return parameterOptional("name", name -> body(bytes -> ErrorBody.answer(() -> containers
                .create(ContainerCodec.decodeCreate(name.orElse(""), bytes))
                .thenApply(created -> Json.response(StatusCodes.CREATED, ContainerCodec.created(created))))));
    }

    private Route prune() {
        return parameterOptional("filters", filters -> ErrorBody.answer(() -> {
            ContainerFilter filter = ContainerFilter.forPrune(filters.orElse(""), clock.instant());
            return ContainerPrune.run(containers, filter).thenApply(ids -> Json.ok(ContainerCodec.pruned(ids)));
        }));
    }

    private Route inspect(String ref) {
        return ErrorBody.answer(() -> containers.inspect(ref).thenApply(s -> Json.ok(ContainerMountCodec.withVolumes(
                ContainerCodec.inspect(s, engine.networks().endpointsOf(s.containerId()), engine.networks()::nameOf,
                        engine.networks().sandboxKey(s.containerId()), containers.logPath(s.containerId())),
                s.config(), engine.volumes()::mountSource))));
    }

    private Route remove(String ref) {
        return parameterOptional("v", volumes -> parameterOptional("force", force -> parameterOptional("link", link ->
                ErrorBody.answer(() -> {
                    if (flag(link)) {
                        throw ContainerCodec.invalid("container links are not supported: there is no link " + ref);
                    }
                    return containers.remove(ref, flag(force), flag(volumes)).thenApply(s -> NO_CONTENT);
                }))));
    }

    /** Since API 1.24 the start body must be empty: the host configuration comes with create only. */
    private Route start(String ref) {
        return body(bytes -> ErrorBody.answer(() -> {
            if (bytes.length > 0) {
                throw ContainerCodec.invalid("starting container with non-empty request body was deprecated since "
                        + "API v1.22 and removed in v1.24");
            }
            return containers.start(ref).thenApply(s -> NO_CONTENT);
        }));
    }

    private Route stop(String ref) {
        return parameterOptional("t", t -> parameterOptional("signal", signal -> ErrorBody.answer(() -> containers
                .stop(ref, ContainerCodec.stopTimeout(t), signal.filter(s -> !s.isBlank()))
                .thenApply(s -> NO_CONTENT))));
    }

    private Route restart(String ref) {
        return parameterOptional("t", t -> ErrorBody.answer(() -> containers.restart(ref, ContainerCodec.stopTimeout(t))
                .thenApply(s -> NO_CONTENT)));
    }

    /** Docker's default signal of kill is SIGKILL. */
    private Route kill(String ref) {
        return parameterOptional("signal", signal -> ErrorBody.answer(() -> containers
                .kill(ref, signal.filter(s -> !s.isBlank()).orElse("KILL"))
                .thenApply(s -> NO_CONTENT)));
    }

    private Route rename(String ref) {
        return parameterOptional("name", name -> ErrorBody.answer(() -> {
            String newName = name.orElse("");
            if (newName.isBlank()) {
                throw ContainerCodec.invalid(ContainerEntity.invalidName(newName));
            }
            return containers.rename(ref, newName).thenApply(s -> NO_CONTENT);
        }));
    }

    /** Docker's update changes only what the body sets, so the current values are read first. */
    private Route update(String ref) {
        return body(bytes -> ErrorBody.answer(() -> containers.inspect(ref).thenCompose(current -> {
            ContainerCodec.Update update = ContainerCodec.decodeUpdate(bytes, current);
            return containers.update(ref, update.resources(), update.restartPolicy());
        }).thenApply(s -> Json.ok(Json.MAPPER.createObjectNode().set("Warnings", Json.MAPPER.createArrayNode())))));
    }

    private Route resize(String ref) {
        return parameterOptional("h", h -> parameterOptional("w", w -> ErrorBody.answer(() -> {
            long height = ContainerCodec.integer("h", h, 0);
            long width = ContainerCodec.integer("w", w, 0);
            if (height < 0 || width < 0 || height > 0xFFFF || width > 0xFFFF) {
                throw ContainerCodec.invalid("invalid terminal size " + height + "x" + width);
            }
            return containers.resize(ref, (int) height, (int) width).thenApply(s -> OK_EMPTY);
        })));
    }

    /**
     * The status and headers go out as soon as the container is found (the CLI waits for them before it starts the
     * container), the result when the condition is met.
     */
    private Route await(String ref) {
        return parameterOptional("condition", condition -> ErrorBody.answer(() -> {
            Containers.WaitCondition waitFor = ContainerCodec.waitCondition(condition);
            return containers.await(ref, waitFor).thenApply(exit -> HttpResponse.create()
                    .withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, Source.completionStage(exit
                            .thenApply(ContainerCodec::waitResult)
                            .exceptionally(failure -> ContainerCodec.waitFailure(reason(failure)))))));
        }));
    }

    /** Whether the output is multiplexed depends on the container's TTY, so it is looked up first. */
    private Route logs(String ref) {
        return extractRequest(request -> parameterMap(query -> ErrorBody.answer(() -> {
            Containers.LogQuery logQuery = ContainerCodec.logQuery(param(query, "stdout"), param(query, "stderr"),
                    param(query, "since"), param(query, "until"), param(query, "tail"), param(query, "follow"));
            boolean timestamps = flag(param(query, "timestamps"));
            return containers.inspect(ref).thenCompose(s -> containers.logs(ref, logQuery).thenApply(lines ->
                    logResponse(lines, s.config().tty(), timestamps, ApiVersion.of(request))));
        })));
    }

    private static HttpResponse logResponse(Source<Containers.LogLine, NotUsed> lines, boolean tty, boolean timestamps,
                                            ApiVersion version) {
        Source<ByteString, NotUsed> framed = lines
                .map(line -> ContainerCodec.logFrame(line, tty, timestamps))
                .recover(new PFBuilder<Throwable, ByteString>()
                        .matchAny(failure -> ContainerCodec.logFailure(reason(failure), tty))
                        .build());
        return HttpResponse.create().withStatus(StatusCodes.OK)
                .withEntity(HttpEntities.createChunked(ContainerCodec.logContentType(version, tty), framed));
    }

    private static Optional<String> param(Map<String, String> query, String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** The request body, bounded by ApiRoutes' size limit (a larger one is refused there with a 400). */
    private Route body(Function<byte[], Route> inner) {
        return entity(Unmarshaller.entityToByteArray(), inner);
    }

    private static String reason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return String.valueOf(cause.getMessage());
    }
}
