package dev.keel.httpapi.authz;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code keel.daemon.authorization-plugins}: the authorization plugins every API request must pass, in order
 * ({@code --authorization-plugin}, daemon.json {@code authorization-plugins}). Empty means no authorization.
 *
 * @param plugins plugin names, each once, in the order they are asked
 */
public record AuthorizationSettings(List<String> plugins) {

    public AuthorizationSettings {
        for (String name : plugins) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("keel.daemon.authorization-plugins: a plugin name must not be empty");
            }
        }
        // dockerd asks a plugin named twice only once.
        plugins = List.copyOf(new LinkedHashSet<>(plugins));
    }

    /**
     * @throws IllegalArgumentException with an operator-facing message on a bad value
     */
    public static AuthorizationSettings from(Config config) {
        try {
            return new AuthorizationSettings(config.getStringList("keel.daemon.authorization-plugins"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }
}
