package dev.keel.actors.authz;

import java.util.List;
import java.util.Map;

/**
 * Who decides whether an Engine API request may run and its answer may be sent: in keeld, the chain of authorization
 * plugins named by {@code --authorization-plugin} ({@link PluginAuthorizer}). Both calls block (they are plugin calls).
 */
public interface Authorizer {

    /** Docker's maxBodySize: a larger body is not shown. */
    int MAX_BODY_BYTES = 1 << 20;

    Decision authorizeRequest(ApiRequest request);

    Decision authorizeResponse(ApiRequest request, ApiResponse response);

    /**
     * A request as the API received it; the authorizer applies Docker's rules on what plugins see (no credentials).
     *
     * @param uri the path and query as the client sent them, version prefix included
     * @param body the JSON body when it was read (under {@link #MAX_BODY_BYTES}), else empty
     */
    record ApiRequest(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        public ApiRequest {
            headers = Map.copyOf(headers);
        }
    }

    /** A buffered answer of a route. */
    record ApiResponse(int status, Map<String, List<String>> headers, byte[] body) {
        public ApiResponse {
            headers = Map.copyOf(headers);
        }
    }

    /** What the authorizer said; anything but {@link Allow} stops the request. */
    sealed interface Decision {

        /** The text for the API client; only the HTTP layer turns a decision into a status (403 or 500). */
        String apiMessage();

        record Allow() implements Decision {
            @Override
            public String apiMessage() {
                return "";
            }
        }

        /** A plugin refused; {@code message} is its Msg. */
        record Deny(String plugin, String message) implements Decision {
            @Override
            public String apiMessage() {
                return "authorization denied by plugin " + plugin + ": " + message;
            }
        }

        /** A plugin could not decide: the request fails closed. */
        record Error(String plugin, String error) implements Decision {
            @Override
            public String apiMessage() {
                return "plugin " + plugin + " failed with error: " + error;
            }
        }
    }
}
