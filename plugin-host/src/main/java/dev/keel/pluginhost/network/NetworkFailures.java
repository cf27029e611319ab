package dev.keel.pluginhost.network;

import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.pluginhost.PluginFailure;

/** How a plugin's failure reaches netplane's callers: a plugin nobody can reach is unavailable, not failed. */
final class NetworkFailures {

    private NetworkFailures() {
    }

    static NetworkFailure of(String prefix, PluginFailure e) {
        NetworkFailure.Kind kind = switch (e.reason()) {
            case NO_SUCH_PLUGIN, WRONG_INTERFACE -> NetworkFailure.Kind.NOT_FOUND;
            case UNREACHABLE, TIMED_OUT, CONNECTION_LOST -> NetworkFailure.Kind.UNAVAILABLE;
            case BAD_DESCRIPTION, NOT_IMPLEMENTED, PLUGIN_ERROR, BAD_ANSWER -> NetworkFailure.Kind.FAILED;
        };
        return new NetworkFailure(kind, prefix + e.getMessage(), e);
    }
}
