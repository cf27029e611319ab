package dev.keel.httpapi.image;

import dev.keel.actors.Engine;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.image.Images;
import dev.keel.httpapi.route.ApiSettings;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API's Images group: list, inspect, history, tag, remove, prune, import ({@code POST /images/create} with
 * {@code fromSrc=-}), save and load. Archives stream between the connection and the image store on the blocking
 * dispatcher, never in memory and without the body size limit. Registry access (pull, push, search) and build come
 * in a later issue: until then they answer at once with Docker's errors.
 *
 * <p>{@code {name}} may hold slashes and colons ("localhost:5000/a/b:1"): a route is told by its fixed suffix.
 */
public final class ImageRoutes extends AllDirectives {

    private static final String BLOCKING_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";
    private static final String NO_REGISTRY = "keeld cannot reach registries yet (registry access is not implemented)";

    private final Images images;
    private final ApiSettings settings;

    public ImageRoutes(Engine engine, ApiSettings settings) {
        this.images = engine.images();
        this.settings = settings;
    }

    public Route route() {
        return concat(
                pathPrefix("images", () -> concat(
                        path("json", () -> get(this::list)),
                        path("create", () -> post(this::create)),
                        path("load", () -> post(this::load)),
                        path("search", () -> get(() -> parameterOptional("term", term -> complete(ErrorBody.response(
                                StatusCodes.INTERNAL_SERVER_ERROR, "Get \"https://index.docker.io/v1/search?q="
                                        + term.orElse("") + "&n=25\": " + NO_REGISTRY))))),
                        path("prune", () -> post(this::prune)),
                        path("get", () -> get(() -> parameterList("names", names -> save(names)))),
                        extractUnmatchedPath(rest -> byName(decode(rest))))),
                path("build", () -> post(this::build)));
    }

    // --- routes by name -------------------------------------------------------------------------------------------

    private Route byName(String path) {
        return concat(
                get(() -> bySuffix(path, Map.of("/json", this::inspect, "/history", this::history,
                        "/get", name -> save(List.of(name))))),
                post(() -> bySuffix(path, Map.of("/tag", this::tag, "/push", this::push))),
                delete(() -> path.isEmpty() ? reject() : remove(path)));
    }

    private Route bySuffix(String path, Map<String, Function<String, Route>> routes) {
        for (Map.Entry<String, Function<String, Route>> route : routes.entrySet()) {
            if (path.endsWith(route.getKey()) && path.length() > route.getKey().length()) {
                return route.getValue().apply(path.substring(0, path.length() - route.getKey().length()));
            }
        }
        return reject();
    }

    private Route inspect(String name) {
        return extractRequest(request -> completeWithFuture(answer(images.inspect(name).thenCompose(image ->
                images.history(name).thenApply(history -> Json.ok(ImageCodec.inspect(image,
                        history.isEmpty() ? "" : history.get(0).comment())))))));
    }

    private Route history(String name) {
        return completeWithFuture(answer(images.history(name).thenApply(items -> Json.ok(ImageCodec.history(items)))));
    }

    private Route tag(String name) {
        return parameterOptional("repo", repo -> parameterOptional("tag", tag -> {
            String[] target = ImageCodec.repositoryAndTag(repo.orElse(""), tag.orElse(""));
            return completeWithFuture(answer(images.tag(name, target[0], target[1])
                    .thenApply(image -> HttpResponse.create().withStatus(StatusCodes.CREATED))));
        }));
    }

    private Route push(String name) {
        return completeWithFuture(answer(images.inspect(name).thenApply(image -> ErrorBody.response(
                StatusCodes.INTERNAL_SERVER_ERROR, "Get \"https://" + registryOf(name) + "/v2/\": " + NO_REGISTRY))));
    }

    private Route remove(String name) {
        return parameterOptional("force", force -> parameterOptional("noprune", noprune -> completeWithFuture(answer(
                images.remove(name, ImageCodec.flag(force.orElse("")), !ImageCodec.flag(noprune.orElse("")))
                        .thenApply(removals -> Json.ok(ImageCodec.removals(removals)))))));
    }

    // --- list and prune -------------------------------------------------------------------------------------------

    private Route list() {
        return extractRequest(request -> parameterOptional("all", all -> parameterOptional("filters", json -> {
            Filters filters = Filters.parse(json.orElse(null), ImageCodec.LIST_FILTERS);
            ImageCodec.checkListFilters(filters);
            ApiVersion version = ApiVersion.of(request);
            CompletionStage<List<ImageEntity.State>> listed = images.list(ImageCodec.flag(all.orElse("")));
            CompletionStage<Optional<Instant>> before = createdOf(filters, "before");
            CompletionStage<Optional<Instant>> since = createdOf(filters, "since");
            return completeWithFuture(answer(listed.thenCombine(before, (list, b) -> list.stream()
                            .filter(image -> b.isEmpty() || image.created().isBefore(b.get())).toList())
                    .thenCombine(since, (list, s) -> list.stream()
                            .filter(image -> s.isEmpty() || image.created().isAfter(s.get()))
                            .filter(image -> ImageCodec.matches(image, filters))
                            .map(image -> ImageCodec.summary(image, ImageCodec.listedTags(image, filters), -1, version))
                            .toList())
                    .thenApply(Json::ok)));
        })));
    }

    /** The creation time of the image a before/since filter names (only one may be given, as in Docker). */
    private CompletionStage<Optional<Instant>> createdOf(Filters filters, String key) {
        List<String> refs = filters.list(key);
        if (refs.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (refs.size() > 1) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "invalid filter '" + key + "': only one image may be given");
        }
        return images.inspect(refs.get(0)).thenApply(image -> Optional.of(image.created()));
    }

    /** Removes what is unused and matches the filters (dangling only unless dangling=false); in-use images stay. */
    private Route prune() {
        return parameterOptional("filters", json -> {
            Filters filters = Filters.parse(json.orElse(null), ImageCodec.PRUNE_FILTERS);
            ImageCodec.PruneSelection selection = ImageCodec.pruneSelection(filters, Instant.now());
            CompletionStage<Map<String, Object>> pruned = images.list(true).thenCompose(all ->
                    pruneEach(all.stream().filter(selection::matches).toList(), 0, new ArrayList<>(), 0));
            return completeWithFuture(answer(pruned.thenApply(Json::ok)));
        });
    }

    private CompletionStage<Map<String, Object>> pruneEach(List<ImageEntity.State> victims, int next,
                                                          List<Images.Removal> removed, long reclaimed) {
        if (next == victims.size()) {
            return CompletableFuture.completedFuture(Map.of("ImagesDeleted", ImageCodec.removals(removed),
                    "SpaceReclaimed", reclaimed));
        }
        ImageEntity.State image = victims.get(next);
        return images.remove(image.imageId(), false, true)
                .handle((removals, failure) -> failure == null ? removals : List.<Images.Removal>of())
                .thenCompose(removals -> {
                    removed.addAll(removals);
                    boolean deleted = removals.stream().anyMatch(r -> !r.deleted().isEmpty());
                    return pruneEach(victims, next + 1, removed, reclaimed + (deleted ? image.sizeBytes() : 0));
                });
    }

    // --- archives -------------------------------------------------------------------------------------------------

    /** Import from the body ({@code fromSrc=-}); a URL import or a pull answers Docker's errors. */
    private Route create() {
        return parameterOptional("fromImage", fromImage -> parameterOptional("fromSrc", fromSrc ->
                parameterOptional("repo", repo -> parameterOptional("tag", tag -> parameterOptional("message", message ->
                        parameterList("changes", changes -> {
                            if (fromImage.isPresent() && !fromImage.get().isEmpty()) {
                                return discardingBody(() -> pull(ImageCodec.reference(fromImage.get(), tag.orElse(""))));
                            }
                            if (fromSrc.isEmpty() || fromSrc.get().isEmpty()) {
                                return discardingBody(() -> complete(ErrorBody.response(StatusCodes.BAD_REQUEST,
                                        "fromImage or fromSrc is required")));
                            }
                            String reference = ImageCodec.reference(repo.orElse(""), tag.orElse(""));
                            if (!fromSrc.get().equals("-")) {
                                return discardingBody(() -> complete(ErrorBody.response(StatusCodes.NOT_IMPLEMENTED,
                                        "importing from a URL is not supported yet: send the archive as the body (fromSrc=-)")));
                            }
                            return importBody(reference, changes, message.orElse(""));
                        }))))));
    }

    private Route importBody(String reference, List<String> changes, String message) {
        return withBodyStream((in, blocking) -> CompletableFuture
                .supplyAsync(() -> images.importRootfs(in, reference, changes, message), blocking)
                .thenCompose(Function.identity())
                .thenApply(image -> progress(List.of(ImageCodec.message("status", image.imageId())))));
    }

    private Route load() {
        return withBodyStream((in, blocking) -> CompletableFuture
                .supplyAsync(() -> images.load(in), blocking)
                .thenCompose(Function.identity())
                .thenApply(lines -> progress(lines.stream().map(line -> ImageCodec.message("stream", line + "\n")).toList())));
    }

    /** Docker pulls from a registry; keeld has none yet, so only an image already here is "up to date". */
    private Route pull(String reference) {
        String familiar = ImageCodec.familiar(reference);
        return completeWithFuture(images.inspect(reference)
                .thenApply(image -> progress(List.of(ImageCodec.message("status",
                        "Status: Image is up to date for " + familiar))))
                .exceptionally(failure -> unwrap(failure) instanceof EngineFailure refused
                        && refused.reason() == Rejection.NOT_FOUND
                        ? ErrorBody.response(StatusCodes.NOT_FOUND, "pull access denied for " + familiar.replaceAll(":[^:/]*$", "")
                                + ", repository does not exist or may require 'docker login': " + NO_REGISTRY)
                        : ErrorBody.of(failure)));
    }

    /** {@code docker save}: the images are found before the first byte, so a missing one is a plain 404. */
    private Route save(List<String> names) {
        if (names.isEmpty()) {
            return complete(ErrorBody.response(StatusCodes.BAD_REQUEST, "no image names given (names=...)"));
        }
        return extractActorSystem(system -> completeWithFuture(answer(images.save(names).thenApply(export ->
                HttpResponse.create().withEntity(HttpEntities.createChunked(MediaTypes.APPLICATION_X_TAR.toContentType(),
                        archive(export, blocking(system))))))));
    }

    /**
     * The bytes {@code export} writes, on the blocking dispatcher. A failure halfway fails the stream, so the client
     * sees a cut connection instead of a short archive that looks whole.
     */
    private static Source<ByteString, NotUsed> archive(Images.Export export, Executor blocking) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Source<ByteString, NotUsed> written = StreamConverters.asOutputStream().mapMaterializedValue(out -> {
            blocking.execute(() -> writeAll(export, out, failure));
            return NotUsed.getInstance();
        });
        return written.concat(Source.lazySource(() -> failure.get() == null ? Source.<ByteString>empty()
                : Source.<ByteString>failed(failure.get())).mapMaterializedValue(m -> NotUsed.getInstance()));
    }

    private static void writeAll(Images.Export export, OutputStream out, AtomicReference<Throwable> failure) {
        try {
            export.writeTo(out);
        } catch (IOException | RuntimeException e) {
            failure.set(e);
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Docker's CLI prints this message for {@code docker build} against a daemon without a builder. */
    private Route build() {
        return discardingBody(() -> complete(ErrorBody.response(StatusCodes.NOT_IMPLEMENTED,
                "building images is not supported yet")));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** The request body as an InputStream read on the blocking dispatcher, free of the body size limit. */
    private Route withBodyStream(BodyReader reader) {
        return withoutSizeLimit(() -> extractActorSystem(system -> extractMaterializer(materializer ->
                extractEntity(entity -> {
                    InputStream in = entity.getDataBytes()
                            .runWith(StreamConverters.asInputStream(settings.bodyIdleTimeout()), materializer);
                    return completeWithFuture(answer(reader.read(in, blocking(system))
                            .whenComplete((done, failure) -> closeQuietly(in))));
                }))));
    }

    /** Answers without reading the body, but reads it away first so the client is not cut off while sending. */
    private Route discardingBody(java.util.function.Supplier<Route> answer) {
        return withoutSizeLimit(() -> extractMaterializer(materializer -> extractEntity(entity ->
                onComplete(entity.discardBytes(materializer).completionStage(), done -> answer.get()))));
    }

    private interface BodyReader {
        CompletionStage<HttpResponse> read(InputStream body, Executor blocking);
    }

    /** A finished jsonmessage stream, typed as dockerd types it. */
    private static HttpResponse progress(List<ByteString> lines) {
        ByteString body = lines.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
        return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, body);
    }

    private static CompletionStage<HttpResponse> answer(CompletionStage<HttpResponse> response) {
        return response.exceptionally(ErrorBody::of);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private static Executor blocking(ActorSystem system) {
        return system.dispatchers().lookup(BLOCKING_DISPATCHER);
    }

    private static String registryOf(String name) {
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "registry-1.docker.io";
    }

    /** The path after /images/, percent-decoded ('+' is a plus in a path, not a space). */
    private static String decode(String rest) {
        String path = rest.startsWith("/") ? rest.substring(1) : rest;
        return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // The stream only fronts the connection; closing it cancels what is left of the body.
        }
    }
}
