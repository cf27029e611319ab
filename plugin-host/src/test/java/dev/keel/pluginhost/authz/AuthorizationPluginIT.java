package dev.keel.pluginhost.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.pluginhost.PluginProcess;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AuthZReq and AuthZRes against the python authz plugin, which denies removing containers. */
class AuthorizationPluginIT {

    private static final byte[] CREATE_BODY = "{\"Image\":\"busybox\"}".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private PluginProcess process;

    private AuthorizationPlugin plugin(String... switches) {
        process = host.start(PluginProcess.Kind.AUTHZ, host.socket("noremove"), switches);
        return AuthorizationPlugin.named(host.plugins(), "noremove");
    }

    private static AuthzRequest request(String method, String uri) {
        return AuthzRequest.of("", "", method, uri, Map.of("Content-Type", List.of("application/json"),
                "Authorization", List.of("Bearer secret"), "User-Agent", List.of("Docker-Client/20.10.24")),
                CREATE_BODY, List.of());
    }

    @Test
    void shouldDenyRemovingContainerWithPluginsMessage() {
        AuthzDecision decision = plugin().authorizeRequest(request("DELETE", "/v1.41/containers/abc123?force=1"));

        assertThat(decision).isEqualTo(new AuthzDecision.Deny("noremove", "removing containers is not allowed"));
        assertThat(decision.apiMessage())
                .isEqualTo("authorization denied by plugin noremove: removing containers is not allowed");
    }

    @Test
    void shouldAllowOtherRequests() {
        AuthorizationPlugin plugin = plugin();

        assertThat(plugin.authorizeRequest(request("POST", "/v1.41/containers/create")))
                .isInstanceOf(AuthzDecision.Allow.class);
        assertThat(plugin.authorizeRequest(request("DELETE", "/v1.41/volumes/data")))
                .isInstanceOf(AuthzDecision.Allow.class);
    }

    @Test
    void shouldSendRequestShapedAsDockerDoes() {
        plugin().authorizeRequest(request("POST", "/v1.41/containers/create?name=web"));

        JsonNode body = process.requests("AuthZPlugin.AuthZReq").get(0).get("body");
        assertThat(body.get("RequestMethod").asText()).isEqualTo("POST");
        assertThat(body.get("RequestUri").asText()).isEqualTo("/v1.41/containers/create?name=web");
        assertThat(Base64.getDecoder().decode(body.get("RequestBody").asText())).isEqualTo(CREATE_BODY);
        assertThat(body.get("RequestHeaders").has("Authorization")).isFalse();
        assertThat(body.get("RequestHeaders").get("User-Agent").asText()).isEqualTo("Docker-Client/20.10.24");
        assertThat(body.has("User")).isFalse();
        assertThat(body.has("ResponseStatusCode")).isFalse();
    }

    @Test
    void shouldSendBufferedResponseToAuthZRes() {
        AuthzRequest request = request("POST", "/v1.41/containers/create");
        byte[] answer = "{\"Id\":\"abc\"}".getBytes(StandardCharsets.UTF_8);

        AuthzDecision decision = plugin().authorizeResponse(request, AuthzResponse.of(request.uri(), 201,
                Map.of("Content-Type", List.of("application/json")), answer));

        assertThat(decision).isInstanceOf(AuthzDecision.Allow.class);
        JsonNode body = process.requests("AuthZPlugin.AuthZRes").get(0).get("body");
        assertThat(body.get("ResponseStatusCode").asInt()).isEqualTo(201);
        assertThat(Base64.getDecoder().decode(body.get("ResponseBody").asText())).isEqualTo(answer);
        assertThat(body.get("ResponseHeaders").get("Content-Type").asText()).isEqualTo("application/json");
        assertThat(body.get("RequestUri").asText()).isEqualTo("/v1.41/containers/create");
    }

    @Test
    void shouldLetFirstRefusingPluginOfChainDecide() {
        plugin();
        PluginProcess second = host.start(PluginProcess.Kind.AUTHZ, host.socket("strict"),
                "--deny-message", "read-only daemon");
        AuthorizationChain chain = AuthorizationChain.of(host.plugins(), List.of("noremove", "strict"));

        assertThat(chain.authorizeRequest(request("GET", "/v1.41/info"))).isInstanceOf(AuthzDecision.Allow.class);
        assertThat(chain.authorizeRequest(request("DELETE", "/v1.41/containers/abc")))
                .isEqualTo(new AuthzDecision.Deny("noremove", "removing containers is not allowed"));
        assertThat(second.requests("AuthZPlugin.AuthZReq")).hasSize(1);
    }

    @Test
    void shouldAllowEverythingWithEmptyChain() {
        AuthorizationChain chain = AuthorizationChain.of(host.plugins(), List.of());

        assertThat(chain.isEmpty()).isTrue();
        assertThat(chain.authorizeRequest(request("DELETE", "/v1.41/containers/abc")))
                .isInstanceOf(AuthzDecision.Allow.class);
    }

    @Test
    void shouldFailClosedWhenPluginErrs() {
        AuthzDecision decision = plugin("--misbehave", "error", "--error-text", "policy store offline")
                .authorizeRequest(request("GET", "/v1.41/info"));

        assertThat(decision).isInstanceOf(AuthzDecision.Error.class);
        assertThat(decision.apiMessage())
                .isEqualTo("plugin noremove failed with error: AuthZPlugin.AuthZReq: policy store offline");
    }

    @Test
    void shouldFailClosedWhenPluginIsMissing() {
        AuthzDecision decision = AuthorizationPlugin.named(host.plugins(), "absent")
                .authorizeRequest(request("GET", "/v1.41/info"));

        assertThat(decision).isEqualTo(new AuthzDecision.Error("absent", "plugin \"absent\" not found"));
    }

    @Test
    void shouldFailClosedWhenPluginCrashes() {
        AuthzDecision decision = plugin("--misbehave", "crash").authorizeRequest(request("GET", "/v1.41/info"));

        assertThat(decision).isInstanceOf(AuthzDecision.Error.class);
        assertThat(decision.apiMessage()).contains("closed the connection during AuthZPlugin.AuthZReq");
    }
}
