package dev.keel.pluginhost.authz;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One API request as an authorization plugin sees it, built with Docker's rules: credentials headers removed, the
 * body only when it is JSON, under 1 MiB and not a login.
 *
 * @param user the authenticated user (the client certificate's CN under TLS), empty otherwise
 * @param userAuthnMethod "TLS" under TLS, empty otherwise
 * @param method the HTTP method
 * @param uri the request URI with its version prefix and query, "/v1.41/containers/abc?force=1"
 * @param headers the request headers, one value each
 * @param body the body when it is sent to plugins
 * @param peerCertificatesPem the client's certificates, PEM
 */
public record AuthzRequest(String user, String userAuthnMethod, String method, String uri,
                           Map<String, String> headers, Optional<byte[]> body, List<String> peerCertificatesPem) {

    /** Docker's maxBodySize: larger bodies are not sent to plugins. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private static final List<String> HIDDEN_HEADERS = List.of("authorization", "x-registry-auth",
            "x-registry-config");

    public AuthzRequest {
        headers = Map.copyOf(headers);
        peerCertificatesPem = List.copyOf(peerCertificatesPem);
    }

    /**
     * Applies Docker's rules to a request as the HTTP layer received it.
     *
     * @param headers every header with all its values, names in any case
     */
    public static AuthzRequest of(String user, String userAuthnMethod, String method, String uri,
                                  Map<String, List<String>> headers, byte[] body, List<String> peerCertificatesPem) {
        Map<String, String> flat = flatten(headers);
        Optional<byte[]> sent = sendsBody(uri, flat) && body.length > 0 && body.length < MAX_BODY_BYTES
                ? Optional.of(body.clone()) : Optional.empty();
        return new AuthzRequest(user, userAuthnMethod, method, uri, flat, sent, peerCertificatesPem);
    }

    /** The last value of each header, names in Go's canonical form, credentials left out. */
    static Map<String, String> flatten(Map<String, List<String>> headers) {
        Map<String, String> flat = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!HIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                flat.put(canonical(name), values.get(values.size() - 1));
            }
        });
        return flat;
    }

    /** A body is shown to plugins only when its media type is exactly application/json, and never for logins. */
    static boolean sendsBody(String uri, Map<String, String> headers) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        if (path.endsWith("/auth")) {
            return false;
        }
        String contentType = headers.getOrDefault("Content-Type", "");
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).strip();
        return mediaType.equalsIgnoreCase("application/json");
    }

    /** Go's CanonicalMIMEHeaderKey: "content-type" becomes "Content-Type". */
    static String canonical(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    /** Go marshals each certificate as the base64 of its PEM text. */
    List<String> peerCertificatesWire() {
        return peerCertificatesPem.stream()
                .map(pem -> Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .toList();
    }
}
