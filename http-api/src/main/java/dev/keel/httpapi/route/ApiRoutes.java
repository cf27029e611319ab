package dev.keel.httpapi.route;

import dev.keel.actors.Engine;
import dev.keel.actors.EngineFailure;
import dev.keel.httpapi.attach.AttachRoutes;
import dev.keel.httpapi.authz.AuthorizationLayer;
import dev.keel.httpapi.container.ContainerRoutes;
import dev.keel.httpapi.container.InspectionRoutes;
import dev.keel.httpapi.event.EventRoutes;
import dev.keel.httpapi.exec.ExecRoutes;
import dev.keel.httpapi.image.CommitRoute;
import dev.keel.httpapi.image.ImageRoutes;
import dev.keel.httpapi.network.NetworkRoutes;
import dev.keel.httpapi.system.DaemonFacts;
import dev.keel.httpapi.system.SystemRoutes;
import dev.keel.httpapi.volume.VolumeRoutes;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MissingQueryParamRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the Engine API's routes are assembled. Every endpoint answers both unversioned and under a
 * {@code /vX.Y/} prefix (the version, checked here, reaches the groups as {@link ApiVersion#of}) and carries Docker's
 * headers (the Server header comes from {@code pekko.http.server.server-header}); anything unmatched or failed gets
 * Docker's JSON error body. Request bodies are bounded by {@link ApiSettings#maxBodyBytes()}; a route that streams
 * an archive lifts the bound with {@code withoutSizeLimit}. A new endpoint group is one more entry in the
 * constructor.
 */
public final class ApiRoutes extends AllDirectives {

    /** The Engine API version keeld speaks. */
    public static final String API_VERSION = ApiVersion.MAX.toString();

    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    private static final Pattern VERSION_SEGMENT = Pattern.compile("v[0-9]+\\.[0-9]+");
    private static final List<HttpHeader> DOCKER_HEADERS = List.of(
            RawHeader.create("Api-Version", API_VERSION),
            RawHeader.create("Ostype", "linux"),
            RawHeader.create("Docker-Experimental", "false"));
    private static final HttpResponse PAGE_NOT_FOUND = ErrorBody.response(StatusCodes.NOT_FOUND, "page not found");

    private final ApiSettings settings;
    private final AuthorizationLayer authorization;
    private final Route endpoints;

    public ApiRoutes(Engine engine, ApiSettings settings, DaemonFacts daemon) {
        this(engine, settings, daemon, AuthorizationLayer.none());
    }

    /** The API with every request (and buffered answer) passed through {@code authorization} first. */
    public ApiRoutes(Engine engine, ApiSettings settings, DaemonFacts daemon, AuthorizationLayer authorization) {
        this(settings, authorization, new SystemRoutes(engine, daemon).route(),
                new ContainerRoutes(engine).route(),
                new InspectionRoutes(engine).route(),
                new AttachRoutes(engine).route(),
                new ExecRoutes(engine).route(),
                new ImageRoutes(engine, settings).route(),
                new NetworkRoutes(engine).route(),
                new VolumeRoutes(engine).route(),
                new CommitRoute(engine).route(),
                new EventRoutes(engine).route());
    }

    /** The API around {@code groups}; ping is always there. */
    ApiRoutes(ApiSettings settings, Route... groups) {
        this(settings, AuthorizationLayer.none(), groups);
    }

    ApiRoutes(ApiSettings settings, AuthorizationLayer authorization, Route... groups) {
        this.settings = settings;
        this.authorization = authorization;
        this.endpoints = concat(new PingRoute().route(), groups);
    }

    public Route route() {
        return respondWithHeaders(DOCKER_HEADERS, () -> authorization.authorize(() -> handleExceptions(failures(),
                () -> handleRejections(rejections(), () -> withSizeLimit(settings.maxBodyBytes(), () -> concat(
                        options(() -> complete(StatusCodes.OK)),
                        pathPrefix(PathMatchers.segment(VERSION_SEGMENT), prefix -> versioned(prefix.substring(1))),
                        endpoints))))));
    }

    private Route versioned(String text) {
        ApiVersion version;
        try {
            version = ApiVersion.supported(text);
        } catch (EngineFailure refused) {
            return complete(ErrorBody.of(refused));
        }
        return mapRequest(request -> request.addAttribute(ApiVersion.KEY, version), () -> endpoints);
    }

    private ExceptionHandler failures() {
        return ExceptionHandler.newBuilder()
                .match(EngineFailure.class, refused -> complete(ErrorBody.of(refused)))
                .match(EntityStreamSizeException.class, tooLarge -> complete(tooLarge(tooLarge)))
                .matchAny(e -> {
                    log.error("request failed", e);
                    return complete(ErrorBody.response(StatusCodes.INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage())));
                })
                .build();
    }

    /** Docker answers a bad query parameter or body with 400, and an unknown path or method with 404. */
    private RejectionHandler rejections() {
        return RejectionHandler.newBuilder()
                .handle(MalformedRequestContentRejection.class, bad -> complete(
                        bad.getCause() instanceof EntityStreamSizeException tooLarge ? tooLarge(tooLarge)
                                : ErrorBody.response(StatusCodes.BAD_REQUEST, bad.message())))
                .handle(MalformedQueryParamRejection.class, bad -> complete(ErrorBody.response(StatusCodes.BAD_REQUEST,
                        "invalid value for query parameter " + bad.parameterName() + ": " + bad.errorMsg())))
                .handle(MissingQueryParamRejection.class, missing -> complete(ErrorBody.response(StatusCodes.BAD_REQUEST,
                        "missing query parameter " + missing.parameterName())))
                .handle(ValidationRejection.class, bad -> complete(ErrorBody.response(StatusCodes.BAD_REQUEST, bad.message())))
                .handleAll(org.apache.pekko.http.javadsl.server.Rejection.class, others -> complete(PAGE_NOT_FOUND))
                .handleNotFound(complete(PAGE_NOT_FOUND))
                .build();
    }

    private HttpResponse tooLarge(EntityStreamSizeException e) {
        return ErrorBody.response(StatusCodes.BAD_REQUEST, "request body is larger than the limit of " + e.limit()
                + " bytes (keel.http-api.max-body-bytes)");
    }
}
