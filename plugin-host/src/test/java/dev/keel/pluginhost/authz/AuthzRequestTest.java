package dev.keel.pluginhost.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthzRequestTest {

    private static final byte[] JSON_BODY = "{\"Image\":\"busybox\"}".getBytes(StandardCharsets.UTF_8);

    private static AuthzRequest request(String uri, Map<String, List<String>> headers, byte[] body) {
        return AuthzRequest.of("", "", "POST", uri, headers, body, List.of());
    }

    @Test
    void shouldLeaveOutCredentialHeadersInAnyCase() {
        AuthzRequest request = request("/v1.41/images/create", Map.of(
                "authorization", List.of("Bearer x"),
                "X-Registry-Auth", List.of("e30="),
                "x-registry-config", List.of("e30="),
                "user-agent", List.of("Docker-Client/20.10")), new byte[0]);

        assertThat(request.headers()).containsExactly(Map.entry("User-Agent", "Docker-Client/20.10"));
    }

    @Test
    void shouldKeepLastValueOfRepeatedHeader() {
        AuthzRequest request = request("/v1.41/info", Map.of("X-Thing", List.of("a", "b")), new byte[0]);

        assertThat(request.headers()).containsEntry("X-Thing", "b");
    }

    @Test
    void shouldSendJsonBodyWithCharsetParameter() {
        AuthzRequest request = request("/v1.41/containers/create",
                Map.of("Content-Type", List.of("application/json; charset=utf-8")), JSON_BODY);

        assertThat(request.body()).hasValueSatisfying(b -> assertThat(b).isEqualTo(JSON_BODY));
    }

    @Test
    void shouldNotSendNonJsonBody() {
        AuthzRequest request = request("/v1.41/build", Map.of("Content-Type", List.of("application/x-tar")),
                JSON_BODY);

        assertThat(request.body()).isEmpty();
    }

    @Test
    void shouldNotSendLoginBody() {
        AuthzRequest request = request("/v1.41/auth", Map.of("Content-Type", List.of("application/json")),
                JSON_BODY);

        assertThat(request.body()).isEmpty();
    }

    @Test
    void shouldNotSendBodyOfOneMebibyteOrMore() {
        AuthzRequest request = request("/v1.41/containers/create",
                Map.of("Content-Type", List.of("application/json")), new byte[AuthzRequest.MAX_BODY_BYTES]);

        assertThat(request.body()).isEmpty();
    }

    @Test
    void shouldEncodePeerCertificatesAsBase64OfPem() {
        String pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        AuthzRequest request = AuthzRequest.of("alice", "TLS", "GET", "/v1.41/info", Map.of(), new byte[0],
                List.of(pem));

        assertThat(request.peerCertificatesWire()).containsExactly(
                java.util.Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldDescribeDenialAndErrorAsDockerDoes() {
        assertThat(new AuthzDecision.Deny("authz", "no").apiMessage())
                .isEqualTo("authorization denied by plugin authz: no");
        assertThat(new AuthzDecision.Error("authz", "boom").apiMessage())
                .isEqualTo("plugin authz failed with error: boom");
    }
}
