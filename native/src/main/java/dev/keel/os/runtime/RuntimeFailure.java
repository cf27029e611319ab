package dev.keel.os.runtime;

/**
 * A runtime operation failed. The message is the OCI runtime's (or its monitor's) own where there is one, so callers can
 * show it as Docker does ({@code OCI runtime create failed: ...}).
 */
public final class RuntimeFailure extends RuntimeException {

    /** Why, in the closed set the daemon maps to API errors. */
    public enum Reason {
        /** No container with that id on this host. */
        NO_SUCH_CONTAINER,
        /** The id is taken, or the container's state forbids the operation (remove a running one without force). */
        CONFLICT,
        /** The spec cannot run: unknown user or group, invalid value. Nothing was made. */
        INVALID_SPEC,
        /** The runtime or the monitor refused or failed; the message is theirs. */
        RUNTIME_FAILED,
        /** The selected OCI runtime cannot work on this host. */
        UNSUPPORTED_RUNTIME
    }

    private final Reason reason;

    public RuntimeFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RuntimeFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
