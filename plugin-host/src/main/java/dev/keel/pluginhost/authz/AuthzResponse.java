package dev.keel.pluginhost.authz;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's buffered answer to a request, as an authorization plugin sees it in {@code AuthZRes}.
 *
 * @param statusCode the HTTP status
 * @param headers the answer's headers, one value each, credentials left out
 * @param body the body when it is JSON and under 1 MiB, for a request that is not a login
 */
public record AuthzResponse(int statusCode, Map<String, String> headers, Optional<byte[]> body) {

    public AuthzResponse {
        headers = Map.copyOf(headers);
    }

    /** Applies the same rules as for requests to an answer of the request {@code uri}. */
    public static AuthzResponse of(String uri, int statusCode, Map<String, List<String>> headers, byte[] body) {
        Map<String, String> flat = AuthzRequest.flatten(headers);
        Optional<byte[]> sent = AuthzRequest.sendsBody(uri, flat) && body.length > 0
                && body.length < AuthzRequest.MAX_BODY_BYTES ? Optional.of(body.clone()) : Optional.empty();
        return new AuthzResponse(statusCode, flat, sent);
    }
}
