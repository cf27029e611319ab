package dev.keel.actors.authz;

import dev.keel.pluginhost.PluginFailure;
import dev.keel.pluginhost.PluginInterface;
import dev.keel.pluginhost.Plugins;
import dev.keel.pluginhost.authz.AuthorizationChain;
import dev.keel.pluginhost.authz.AuthzDecision;
import dev.keel.pluginhost.authz.AuthzRequest;
import dev.keel.pluginhost.authz.AuthzResponse;
import java.util.List;

/** The {@link Authorizer} of {@code --authorization-plugin}: Docker's authz plugins, asked in order. */
public final class PluginAuthorizer implements Authorizer {

    private final AuthorizationChain chain;

    private PluginAuthorizer(AuthorizationChain chain) {
        this.chain = chain;
    }

    /**
     * Looks each plugin up and activates it now (with the plugin host's retries), as dockerd does at start, so that a
     * daemon whose authorization plugin is missing does not start.
     *
     * @throws IllegalArgumentException naming the plugin that cannot be used
     */
    public static PluginAuthorizer start(Plugins plugins, List<String> names) {
        for (String name : names) {
            try {
                plugins.get(name, PluginInterface.AUTHZ);
            } catch (PluginFailure e) {
                throw new IllegalArgumentException("authorization plugin " + name + " cannot be used: "
                        + e.getMessage(), e);
            }
        }
        return new PluginAuthorizer(AuthorizationChain.of(plugins, names));
    }

    @Override
    public Decision authorizeRequest(ApiRequest request) {
        return decision(chain.authorizeRequest(shown(request)));
    }

    @Override
    public Decision authorizeResponse(ApiRequest request, ApiResponse response) {
        return decision(chain.authorizeResponse(shown(request),
                AuthzResponse.of(request.uri(), response.status(), response.headers(), response.body())));
    }

    private static AuthzRequest shown(ApiRequest request) {
        return AuthzRequest.of("", "", request.method(), request.uri(), request.headers(), request.body(), List.of());
    }

    private static Decision decision(AuthzDecision decision) {
        if (decision instanceof AuthzDecision.Deny deny) {
            return new Decision.Deny(deny.plugin(), deny.message());
        }
        if (decision instanceof AuthzDecision.Error error) {
            return new Decision.Error(error.plugin(), error.error());
        }
        return new Decision.Allow();
    }
}
