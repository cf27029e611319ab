package dev.keel.pluginhost;

/**
 * Why talking to a plugin failed. The adapters turn the reason into their SPI's failure kind; the message always
 * names the plugin and, for a plugin's own error, carries the plugin's text.
 */
public final class PluginFailure extends RuntimeException {

    public enum Reason {
        /** No plugin by that name in any socket or spec directory, even after retrying. */
        NO_SUCH_PLUGIN,
        /** A spec or json file exists but does not describe a usable address. */
        BAD_DESCRIPTION,
        /** The plugin was activated but does not implement the interface asked for. */
        WRONG_INTERFACE,
        /** No connection could be made within the retry limit. */
        UNREACHABLE,
        /** The plugin did not answer within the call timeout. */
        TIMED_OUT,
        /** The plugin closed the connection before its answer was complete (it crashed mid-call). */
        CONNECTION_LOST,
        /** The plugin answered 404: it does not implement this method. */
        NOT_IMPLEMENTED,
        /** The plugin answered with an error ({@code Err}, {@code Error} or a non-200 status). */
        PLUGIN_ERROR,
        /** The answer is not HTTP, not JSON, or not the JSON the protocol defines. */
        BAD_ANSWER
    }

    private final Reason reason;

    public PluginFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PluginFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The plugin could not be reached or did not answer: nothing is known about what it did. */
    public boolean isUnavailable() {
        return reason == Reason.UNREACHABLE || reason == Reason.TIMED_OUT || reason == Reason.CONNECTION_LOST;
    }
}
