package dev.keel.pluginhost.authz;

import dev.keel.pluginhost.Plugins;
import java.util.List;

/**
 * The authorization plugins of {@code --authorization-plugin}, in the order given: every one must allow, and the
 * first that does not decides. An empty chain allows everything without asking anyone.
 */
public record AuthorizationChain(List<AuthorizationPlugin> plugins) {

    public AuthorizationChain {
        plugins = List.copyOf(plugins);
    }

    public static AuthorizationChain of(Plugins registry, List<String> names) {
        return new AuthorizationChain(names.stream().map(name -> AuthorizationPlugin.named(registry, name)).toList());
    }

    public boolean isEmpty() {
        return plugins.isEmpty();
    }

    public AuthzDecision authorizeRequest(AuthzRequest request) {
        for (AuthorizationPlugin plugin : plugins) {
            AuthzDecision decision = plugin.authorizeRequest(request);
            if (!(decision instanceof AuthzDecision.Allow)) {
                return decision;
            }
        }
        return new AuthzDecision.Allow();
    }

    public AuthzDecision authorizeResponse(AuthzRequest request, AuthzResponse response) {
        for (AuthorizationPlugin plugin : plugins) {
            AuthzDecision decision = plugin.authorizeResponse(request, response);
            if (!(decision instanceof AuthzDecision.Allow)) {
                return decision;
            }
        }
        return new AuthzDecision.Allow();
    }
}
