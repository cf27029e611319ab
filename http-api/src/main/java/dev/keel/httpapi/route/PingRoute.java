package dev.keel.httpapi.route;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /_ping} and {@code HEAD /_ping}: clients call it first to learn the API version.
 * Pekko HTTP never sends a body in reply to HEAD, so both answer the same response. The headers every response
 * carries are {@link ApiRoutes}'s; these are ping's own.
 */
final class PingRoute extends AllDirectives {

    private static final List<HttpHeader> PING_HEADERS = List.of(
            RawHeader.create("Cache-Control", "no-cache, no-store, must-revalidate"),
            RawHeader.create("Pragma", "no-cache"));

    private static final HttpResponse OK = HttpResponse.create()
            .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "OK")
            .addHeaders(PING_HEADERS);

    Route route() {
        return path("_ping", () -> concat(
                get(() -> complete(OK)),
                head(() -> complete(OK))));
    }
}
