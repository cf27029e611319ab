package dev.keel.httpapi.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * JSON bodies of the Engine API: one configured mapper, responses typed exactly {@code application/json} (Docker's
 * clients compare the header as a string), and request bodies whose faults are the client's (400), never a 500.
 */
public final class Json {

    /** Unknown fields are ignored, as by dockerd: newer clients send fields older daemons do not know. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    public static HttpResponse response(StatusCode status, Object body) {
        try {
            return HttpResponse.create().withStatus(status)
                    .withEntity(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response of " + body.getClass().getName(), e);
        }
    }

    public static HttpResponse ok(Object body) {
        return response(StatusCodes.OK, body);
    }

    /** Decodes a request body; malformed JSON or a field of the wrong type is an {@code INVALID_ARGUMENT}. */
    public static <T> T parse(byte[] body, Class<T> type) {
        try {
            return MAPPER.readValue(body, type);
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : " for field " + e.getPathReference().replaceAll(".*\\[\"", "").replace("\"]", "");
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "invalid JSON" + field + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "invalid JSON: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
