package dev.keel.httpapi.route;

import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the Engine API's routes are assembled. Every endpoint answers both
 * unversioned and under a {@code /vX.Y/} prefix and carries Docker's version headers (the
 * Server header comes from {@code pekko.http.server.server-header}); anything unmatched or
 * failed gets Docker's JSON error body. A new endpoint group is one more entry in
 * {@link #endpoints()}.
 */
public final class ApiRoutes extends AllDirectives {

    /** The Engine API version keeld speaks. */
    public static final String API_VERSION = "1.41";

    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    private static final Pattern VERSION_SEGMENT = Pattern.compile("v[0-9]+\\.[0-9]+");
    private static final List<HttpHeader> VERSION_HEADERS = List.of(
            RawHeader.create("Api-Version", API_VERSION),
            RawHeader.create("Ostype", "linux"));

    public Route route() {
        return respondWithHeaders(VERSION_HEADERS, () -> handleExceptions(internalError(), () -> concat(
                pathPrefix(PathMatchers.segment(VERSION_SEGMENT), version -> endpoints()),
                endpoints(),
                complete(ErrorBody.response(StatusCodes.NOT_FOUND, "page not found")))));
    }

    private Route endpoints() {
        return concat(
                new PingRoute().route());
    }

    private ExceptionHandler internalError() {
        return ExceptionHandler.newBuilder()
                .matchAny(e -> {
                    log.error("request failed", e);
                    return complete(ErrorBody.response(StatusCodes.INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage())));
                })
                .build();
    }
}
