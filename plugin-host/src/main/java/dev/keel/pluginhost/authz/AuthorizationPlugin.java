package dev.keel.pluginhost.authz;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keel.pluginhost.Plugin;
import dev.keel.pluginhost.PluginFailure;
import dev.keel.pluginhost.PluginInterface;
import dev.keel.pluginhost.Plugins;
import java.util.List;
import java.util.Map;

/**
 * An authorization plugin ({@code --authorization-plugin}): consulted before a request's handler runs
 * ({@code AuthZPlugin.AuthZReq}) and with its buffered answer ({@code AuthZPlugin.AuthZRes}). Every failure to get an
 * answer is an {@link AuthzDecision.Error}, never an allow.
 */
public final class AuthorizationPlugin {

    private final Plugins plugins;
    private final String name;

    private AuthorizationPlugin(Plugins plugins, String name) {
        this.plugins = plugins;
        this.name = name;
    }

    /**
     * A handle on the plugin called {@code name}; it is looked up and activated at the first request, as Docker
     * does, so a plugin started after the daemon is found.
     */
    public static AuthorizationPlugin named(Plugins plugins, String name) {
        return new AuthorizationPlugin(plugins, name);
    }

    public String name() {
        return name;
    }

    public AuthzDecision authorizeRequest(AuthzRequest request) {
        return ask("AuthZPlugin.AuthZReq", WireRequest.of(request, null));
    }

    public AuthzDecision authorizeResponse(AuthzRequest request, AuthzResponse response) {
        return ask("AuthZPlugin.AuthZRes", WireRequest.of(request, response));
    }

    private AuthzDecision ask(String method, WireRequest request) {
        WireAnswer answer;
        try {
            answer = plugins.get(name, PluginInterface.AUTHZ)
                    .call(PluginInterface.AUTHZ, method, request, WireAnswer.class, Plugin.ERR);
        } catch (PluginFailure e) {
            return new AuthzDecision.Error(name, e.getMessage());
        }
        if (!answer.allow()) {
            return new AuthzDecision.Deny(name, answer.msg() == null ? "" : answer.msg());
        }
        return new AuthzDecision.Allow();
    }

    /** Docker's authorization.Request: every field omitted when empty. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    private record WireRequest(
            @JsonProperty("User") String user,
            @JsonProperty("UserAuthNMethod") String userAuthnMethod,
            @JsonProperty("RequestMethod") String requestMethod,
            @JsonProperty("RequestUri") String requestUri,
            @JsonProperty("RequestBody") byte[] requestBody,
            @JsonProperty("RequestHeaders") Map<String, String> requestHeaders,
            @JsonProperty("RequestPeerCertificates") List<String> requestPeerCertificates,
            @JsonProperty("ResponseStatusCode") Integer responseStatusCode,
            @JsonProperty("ResponseBody") byte[] responseBody,
            @JsonProperty("ResponseHeaders") Map<String, String> responseHeaders) {

        static WireRequest of(AuthzRequest request, AuthzResponse response) {
            return new WireRequest(request.user(), request.userAuthnMethod(), request.method(), request.uri(),
                    request.body().orElse(null), request.headers(), request.peerCertificatesWire(),
                    response == null || response.statusCode() == 0 ? null : response.statusCode(),
                    response == null ? null : response.body().orElse(null),
                    response == null ? null : response.headers());
        }
    }

    private record WireAnswer(@JsonProperty("Allow") boolean allow, @JsonProperty("Msg") String msg,
                              @JsonProperty("Err") String err) {}
}
