package dev.keel.pluginhost.authz;

/** What one authorization plugin said about a request or an answer. Anything but {@link Allow} stops the request. */
public sealed interface AuthzDecision {

    /** The text for the API client; only the HTTP layer turns a decision into a status (403 or 500). */
    String apiMessage();

    record Allow() implements AuthzDecision {
        @Override
        public String apiMessage() {
            return "";
        }
    }

    /** The plugin refused; {@code message} is its Msg. */
    record Deny(String plugin, String message) implements AuthzDecision {
        @Override
        public String apiMessage() {
            return "authorization denied by plugin " + plugin + ": " + message;
        }
    }

    /** The plugin could not decide (its Err, an HTTP error, or it could not be reached): the request fails closed. */
    record Error(String plugin, String error) implements AuthzDecision {
        @Override
        public String apiMessage() {
            return "plugin " + plugin + " failed with error: " + error;
        }
    }
}
