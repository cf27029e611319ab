package dev.keel.stateplane.spi;

/** Why a volume driver call failed; the daemon turns the kind into the API's status. */
public final class VolumeFailure extends RuntimeException {

    public enum Kind {
        /** Bad options or a bad name. */
        INVALID_ARGUMENT,
        /** The volume exists with other options, or is in use. */
        CONFLICT,
        /** No such volume. */
        NOT_FOUND,
        /** The driver could not be reached or did not answer in time (a remote plugin). */
        UNAVAILABLE,
        /** The driver tried and failed. */
        FAILED
    }

    private final Kind kind;

    public VolumeFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VolumeFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
