package dev.keel.httpapi.authz;

import dev.keel.actors.Engine;
import dev.keel.actors.authz.Authorizer;
import dev.keel.actors.authz.Authorizer.ApiRequest;
import dev.keel.actors.authz.Authorizer.ApiResponse;
import dev.keel.actors.authz.Authorizer.Decision;
import com.typesafe.config.Config;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.transport.Hijack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Complete;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.server.RouteResults;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dockerd's authorization middleware around the Engine API. Each request is shown to the {@link Authorizer}
 * ({@code AuthZReq}) before its route runs: a refusal answers 403 {@code authorization denied by plugin NAME: MSG},
 * a plugin that cannot answer 500 {@code plugin NAME failed with error: ...}, and in both cases the route does not
 * run. A route's answer is then shown again ({@code AuthZRes}) when it is buffered (a strict entity), and replaced
 * by the same errors if refused. Streams (logs, events, stats, archives) and hijacked connections (attach, exec
 * start) are checked on the request only, as in dockerd, where they flush past the middleware.
 *
 * <p>Like dockerd, every route is covered, {@code /_ping} included; unlike dockerd, which does not wrap its
 * not-found handler, so is a path that matches no route. The user and authentication method are empty: the TLS
 * listener does not pass the client's certificate to the routes.
 *
 * <p>The plugin calls block; they run on {@code pekko.actor.default-blocking-io-dispatcher}, never on a route's
 * thread.
 */
public final class AuthorizationLayer extends AllDirectives {

    private static final Logger log = LoggerFactory.getLogger(AuthorizationLayer.class);
    /** Headers of Go's Request.Header that Pekko keeps elsewhere: the host is in r.Host, not in the headers. */
    private static final String HOST = "host";

    private final Optional<Authorizer> authorizer;
    private final Executor blocking;

    private AuthorizationLayer(Optional<Authorizer> authorizer, Executor blocking) {
        this.authorizer = authorizer;
        this.blocking = blocking;
    }

    /** No authorization: every route runs as it is. */
    public static AuthorizationLayer none() {
        return new AuthorizationLayer(Optional.empty(), Runnable::run);
    }

    /** Every request asks {@code authorizer}, on {@code blocking}. */
    public static AuthorizationLayer of(Authorizer authorizer, Executor blocking) {
        return new AuthorizationLayer(Optional.of(authorizer), blocking);
    }

    /**
     * The layer keeld runs with: none without {@code keel.daemon.authorization-plugins}, otherwise the engine's chain
     * of those plugins, looked up and activated now, as dockerd does at start, so that a daemon whose authorization
     * plugin is missing does not start.
     *
     * @param config keeld's resolved configuration
     * @throws IllegalArgumentException naming the plugin that cannot be used, or a bad setting
     */
    public static AuthorizationLayer start(Config config, ActorSystem<?> system, Engine engine) {
        AuthorizationSettings settings = AuthorizationSettings.from(config);
        if (settings.plugins().isEmpty()) {
            return none();
        }
        Authorizer authorizer = engine.authorizer(settings.plugins());
        log.info("authorization plugins, in order: {}", String.join(", ", settings.plugins()));
        return of(authorizer, system.dispatchers().lookup(DispatcherSelector.blocking()));
    }

    /** {@code inner}, run only for requests the plugins allow, its buffered answers sent only if they allow them. */
    public Route authorize(Supplier<Route> inner) {
        if (authorizer.isEmpty()) {
            return inner.get();
        }
        Authorizer plugins = authorizer.get();
        return extractMaterializer(materializer -> extractRequest(request -> onSuccess(
                askRequest(plugins, request, materializer),
                asked -> asked instanceof Asked.Allowed allowed
                        ? mapRequest(r -> r.withEntity(allowed.entity().entity()),
                                () -> mapRouteResultFuture(result -> result.thenCompose(
                                        done -> askResponse(plugins, allowed.shown(), done, materializer)), inner))
                        : complete(((Asked.Refused) asked).answer()))));
    }

    /** What the plugins said about a request. */
    private sealed interface Asked {
        /** The route runs, reading {@code entity}; its answer is asked about with {@code shown}. */
        record Allowed(ApiRequest shown, PeekedBody entity) implements Asked {}

        /** The route does not run; {@code answer} is sent instead. */
        record Refused(HttpResponse answer) implements Asked {}
    }

    private CompletionStage<Asked> askRequest(Authorizer plugins, HttpRequest request, Materializer materializer) {
        String uri = requestUri(request);
        Map<String, List<String>> headers = requestHeaders(request);
        CompletionStage<PeekedBody> body = isJson(request.entity())
                ? PeekedBody.read(request.entity(), Authorizer.MAX_BODY_BYTES, materializer)
                : CompletableFuture.completedFuture(new PeekedBody(Optional.empty(), request.entity()));
        return body.thenCompose(peeked -> {
            ApiRequest shown = new ApiRequest(request.method().name(), uri, headers, peeked.whole().orElse(new byte[0]));
            return CompletableFuture.supplyAsync(() -> plugins.authorizeRequest(shown), blocking)
                    .handle((decision, failure) -> refusal(request.method().name(), uri, "AuthZRequest", decision, failure)
                            .<Asked>map(Asked.Refused::new)
                            .orElseGet(() -> new Asked.Allowed(shown, peeked)));
        }).exceptionally(unreadable -> new Asked.Refused(ErrorBody.response(StatusCodes.BAD_REQUEST,
                "cannot read the request body for authorization: " + cause(unreadable).getMessage())));
    }

    private CompletionStage<RouteResult> askResponse(Authorizer plugins, ApiRequest shown, RouteResult done,
                                                     Materializer materializer) {
        if (!(done instanceof Complete complete) || Hijack.of(complete.getResponse()).isPresent()
                || !complete.getResponse().entity().isStrict()) {
            return CompletableFuture.completedFuture(done);
        }
        HttpResponse response = complete.getResponse();
        byte[] body = ((HttpEntity.Strict) response.entity()).getData().toArray();
        ApiResponse answer = new ApiResponse(response.status().intValue(), responseHeaders(response), body);
        return CompletableFuture.supplyAsync(() -> plugins.authorizeResponse(shown, answer), blocking)
                .handle((decision, failure) -> refusal(shown.method(), shown.uri(), "AuthZResponse", decision, failure)
                        .<RouteResult>map(RouteResults::complete)
                        .orElse(done));
    }

    /** Empty when the plugins allow; otherwise the answer that replaces the route's, as dockerd words it. */
    private static Optional<HttpResponse> refusal(String method, String uri, String step, Decision decision,
                                                  Throwable failure) {
        if (failure != null) {
            Throwable cause = cause(failure);
            log.error("{} for {} {} failed", step, method, uri, cause);
            return Optional.of(ErrorBody.response(StatusCodes.INTERNAL_SERVER_ERROR,
                    "authorization failed: " + cause.getMessage()));
        }
        if (decision instanceof Decision.Deny deny) {
            log.warn("{} for {} {} returned error: {}", step, method, uri, deny.apiMessage());
            return Optional.of(ErrorBody.response(StatusCodes.FORBIDDEN, deny.apiMessage()));
        }
        if (decision instanceof Decision.Error error) {
            log.error("{} for {} {} returned error: {}", step, method, uri, error.apiMessage());
            return Optional.of(ErrorBody.response(StatusCodes.INTERNAL_SERVER_ERROR, error.apiMessage()));
        }
        return Optional.empty();
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Go's r.RequestURI: the path and query as the client sent them, version prefix included. */
    static String requestUri(HttpRequest request) {
        return request.getUri().toRelative().toString();
    }

    /**
     * Go's r.Header: what the client sent, with the entity's Content-Type and Content-Length (which Pekko keeps on
     * the entity), without Host and without the headers Pekko adds for itself.
     */
    static Map<String, List<String>> requestHeaders(HttpRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpHeader header : request.getHeaders()) {
            if (header.renderInRequests() && !header.lowercaseName().equals(HOST)) {
                headers.computeIfAbsent(header.name(), n -> new ArrayList<>()).add(header.value());
            }
        }
        HttpEntity entity = request.entity();
        if (!entity.isKnownEmpty()) {
            headers.put("Content-Type", List.of(entity.getContentType().toString()));
        }
        entity.getContentLengthOption().ifPresent(length -> {
            if (length > 0) {
                headers.put("Content-Length", List.of(Long.toString(length)));
            }
        });
        return headers;
    }

    /** The answer's headers as the route set them, with its Content-Type. */
    static Map<String, List<String>> responseHeaders(HttpResponse response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpHeader header : response.getHeaders()) {
            if (header.renderInResponses()) {
                headers.computeIfAbsent(header.name(), n -> new ArrayList<>()).add(header.value());
            }
        }
        if (!response.entity().isKnownEmpty()) {
            headers.put("Content-Type", List.of(response.entity().getContentType().toString()));
        }
        return headers;
    }

    /** Only JSON bodies are shown to plugins, so only they are read before the route. */
    private static boolean isJson(HttpEntity entity) {
        return entity.getContentType().mediaType().toString().toLowerCase(Locale.ROOT).equals("application/json");
    }
}
