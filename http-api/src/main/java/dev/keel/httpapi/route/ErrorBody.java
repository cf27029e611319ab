package dev.keel.httpapi.route;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** Docker's error shape, {@code {"message":"..."}} as application/json, for every failed request. */
public final class ErrorBody {

    private ErrorBody() {
    }

    public static HttpResponse response(StatusCode status, String message) {
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, json(message));
    }

    /** The one place where a refusal's reason becomes a status: Docker's errdefs mapping. */
    public static StatusCode status(Rejection reason) {
        return switch (reason) {
            case NOT_FOUND -> StatusCodes.NOT_FOUND;
            case CONFLICT -> StatusCodes.CONFLICT;
            case INVALID_ARGUMENT -> StatusCodes.BAD_REQUEST;
            case NOT_MODIFIED -> StatusCodes.NOT_MODIFIED;
            case HOST_FAILURE -> StatusCodes.INTERNAL_SERVER_ERROR;
            case FORBIDDEN -> StatusCodes.FORBIDDEN;
        };
    }

    /**
     * The response for a failed request: an {@link EngineFailure} (possibly wrapped by a future) with its status, anything
     * else as a 500 with its message. A 304 has no body, as in Docker.
     */
    public static HttpResponse of(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof EngineFailure refused) {
            StatusCode status = status(refused.reason());
            return status == StatusCodes.NOT_MODIFIED ? HttpResponse.create().withStatus(status)
                    : response(status, refused.getMessage());
        }
        return response(StatusCodes.INTERNAL_SERVER_ERROR, String.valueOf(cause.getMessage()));
    }

    /**
     * A route completing with {@code call}'s response, or with Docker's error body when the request is refused, at once
     * (an {@link EngineFailure} thrown while the call is made) or later (its future failing).
     */
    public static Route answer(Supplier<CompletionStage<HttpResponse>> call) {
        CompletionStage<HttpResponse> response;
        try {
            response = call.get();
        } catch (EngineFailure refused) {
            return Directives.complete(of(refused));
        }
        return Directives.completeWithFuture(response.exceptionally(ErrorBody::of));
    }

    static String json(String message) {
        StringBuilder out = new StringBuilder(message.length() + 16).append("{\"message\":\"");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append("\"}\n").toString();
    }
}
